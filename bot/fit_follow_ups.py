"""Step 6 of `python -m bot.fit`: how sure the bundled articles' answerability must be of a follow-up.

Why: the neighbours' vote (`bot.asked`) reads the message alone, as a patient typed it. A follow-up read with its
conversation ("is that permanent?" after a question about ruxolitinib, "how long til it grew back?") is ambiguous
alone: its nearest fit messages are whatever short, vague asks the fit sets hold, near misses as often as not, so
the vote says little about whether the articles answer it *in this conversation*, and the threshold fitted on
whole questions refused answerable follow-ups that the cross-encoder was sure of (stop 36, conversations' test
part: 9 of 56 refused, 8 of the 13 misses). Reading the vote of the search text instead (the topic carried over)
refused far fewer near misses on the fit half (README). So a follow-up keeps the model and its vote and gets its
own threshold: the highest of `grid` (up to the whole-question threshold) that refuses at most
`MAX_FALSE_ABSTENTION` of the hair conversations' fit-half follow-ups the articles answer, read with their
history as served. Those conversations are in no other fit; their test half reports it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bot.settings import Settings

GRID_STEP = 0.05


def fit_follow_up_threshold(ranker_path: Path, index_dir: Path, items: list[dict], settings: Settings) -> dict | None:
    """The bundled answerability's follow-up threshold for the fitted ranker at `ranker_path`, from conversation
    `items` (`kind` "conversation": answerable; "nearmiss": not); ranker.json's `bundled.asked.follow_up` entry,
    or None when the file has no bundled answerability (the general model's threshold reads the search text)."""
    from bot.engine import Bot
    from bot.fit_answer import MAX_FALSE_ABSTENTION

    bot = Bot.load(replace(settings, index_dir=index_dir, ranker_path=ranker_path, cache_size=0))
    own = (bot.ranker.answer or {}).get("asked")
    if own is None:
        return None
    whole, conversations = own["threshold"], len(items)
    grid = [round(GRID_STEP * i, 4) for i in range(int(whole / GRID_STEP) + 1)] + [whole]
    table = {}
    for threshold in grid:
        own["follow_up"] = {"threshold": threshold}
        refused = {"conversation": [], "nearmiss": []}
        # whether a question is read with its history does not depend on the threshold, and only those are
        # decided by it: after the first pass, only they are asked again
        read_with_history = []
        for item in items:
            answer = bot.ask(item["question"], top_k=3, history=item["history"])
            if answer.context_from is not None:
                refused[item["kind"]].append(not answer.answered)
                read_with_history.append(item)
        items = read_with_history
        share = {k: round(sum(v) / max(len(v), 1), 4) for k, v in refused.items()}
        table[threshold] = {"answerable refused": share["conversation"], "near misses refused": share["nearmiss"]}
        print(f"  follow-ups at threshold {threshold}: answerable refused {share['conversation']:.3f} of "
              f"{len(refused['conversation'])}, near misses {share['nearmiss']:.3f} of {len(refused['nearmiss'])}",
              flush=True)
    return {"threshold": pick(table, MAX_FALSE_ABSTENTION), "conversations": conversations,
            "on_fit_part": {str(t): v for t, v in table.items()}}


def pick(table: dict[float, dict], limit: float) -> float:
    """The highest threshold (the most near misses refused) that refuses at most `limit` of the answerable
    follow-ups; if none does, the highest of all (the whole-question threshold: no separate cut earns its place).
    A refit with sets Q and R (stop 37, not shipped) refused 0.054 even at 0.05: falling back to the fewest
    refused would have chosen 0.0 and answered nearly every near-miss follow-up (0.059 refused)."""
    allowed = [t for t, row in table.items() if row["answerable refused"] <= limit]
    return max(allowed) if allowed else max(table)
