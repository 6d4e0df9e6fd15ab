"""Step 6 of `python -m bot.fit`: how sure the bundled articles' answerability must be of a follow-up.

Why: the neighbours' vote (`bot.asked`) reads the message alone, as a patient typed it. A follow-up read with its
conversation ("is that permanent?" after a question about ruxolitinib, "how long til it grew back?") is ambiguous
alone: its nearest fit messages are whatever short, vague asks the fit sets hold, near misses as often as not, so
the vote says little about whether the articles answer it *in this conversation*, and the threshold fitted on
whole questions refused answerable follow-ups that the cross-encoder was sure of (stop 36, conversations' test
part: 9 of 56 refused, 8 of the 13 misses). Reading the vote of the search text instead (the topic carried over)
refused far fewer near misses on the fit half (README). So a follow-up keeps the model and its vote and gets its
own threshold: the one of `grid` (up to the whole-question threshold) that makes the fewest errors on the hair
conversations' fit-half follow-ups read with their history as served, both kinds counted alike (an answerable
follow-up refused, a near-miss follow-up answered; as the vote itself was chosen at stop 35). Those conversations
are in no other fit; their test half reports it.
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
    counts = {"answerable": len(refused["conversation"]), "near misses": len(refused["nearmiss"])}
    return {"threshold": pick(table, counts["answerable"], counts["near misses"]), "conversations": conversations,
            "follow-ups read with history": counts, "on_fit_part": {str(t): v for t, v in table.items()}}


def pick(table: dict[float, dict], answerable: int, near_misses: int) -> float:
    """The threshold with the fewest errors on `answerable` follow-ups and `near_misses`, counted alike; on a tie,
    the one refusing the fewest answerable ones, then the highest (with no follow-ups at all, the whole-question
    threshold; with no near misses, the one refusing fewest). Until stop 38 it was the highest that refused at most
    5% of the answerable: the refit with sets Q and R (stop 38, not shipped) refused 3 of 55 (5.5%) at 0.05 and
    none at 0.0, so that rule chose 0.0 and answered 16 of 17 near-miss follow-ups; this one chooses 0.1 there, and
    both choose 0.15 on the file shipped at stop 37."""

    def errors(t: float) -> int:
        row = table[t]
        return round(row["answerable refused"] * answerable + (1 - row["near misses refused"]) * near_misses)

    return min(table, key=lambda t: (errors(t), table[t]["answerable refused"], -t))
