"""The web face: JSON API, chat page and source view over the same `Bot.ask()`."""
