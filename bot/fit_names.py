"""Step 5 of `python -m bot.fit`: which words a refusal names ("These articles don't mention pregnancy.").

A refusal names the question's salient words the articles (else the best quotes) lack, but only those central
enough to what is asked: "actualy" in "does it actualy work?" is rare and absent, and not what is missing. Until
stop 36 that centrality cut was whichever of the answerability fit's two cuts was higher, so it moved with every
refit (0.4 at stop 34, 0.3 at stop 35, 0.4 again at stop 36) and with it the share of refusals that name anything
(on hair-heldout 0.92 at 0.3, 0.58 at 0.4). Here it is fitted for what it does: the hair fit sets' near misses
whose writers wrote what is missing are asked of the bot as fitted, and the cut that most often names a word the
writer gave, less how often it names only other words, is kept (a tie: the higher cut, fewer names). The bot is
the shipped one, in-sample for these questions (its neighbours' vote holds them, its routes and adapter their
writers' answerable questions): which questions are refused is optimistic; which word a refusal names is fitted
nowhere else. It is fitted on the bundled articles' near misses, the only ones there are, and names refusals on
any folder.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from bot.answerable import ConceptChecker
from bot.fit_answer import CENTRAL_GRID
from bot.settings import Settings

WORD = re.compile(r"\w+")


def gave(named: list[str], missing: list[str]) -> bool:
    """Does the refusal name a word the writer gave as missing (the word or one of the same first five letters:
    "pregnant" for "pregnancy")?"""
    given = {w.lower()[:5] for m in missing for w in WORD.findall(m)}
    return any(w.lower()[:5] in given for m in named for w in WORD.findall(m))


def fit_name_central(ranker_path: Path, index_dir: Path, items: list[dict], settings: Settings) -> dict:
    """The refusals' naming cut for the fitted ranker at `ranker_path` on the bundled articles' index, from the
    near misses `items` (each with the writer's `missing`); returns ranker.json's `answer.naming` entry."""
    from bot.engine import Bot

    bot = Bot.load(replace(settings, index_dir=index_dir, ranker_path=ranker_path, cache_size=0))
    table = {}
    for cut in CENTRAL_GRID:
        bot.checker = ConceptChecker(bot.index.vocab, bot.checker.salient_zipf, bot.checker.covered, cut)
        right = wrong = refused = 0
        for item in items:
            answer = bot.ask(item["question"])
            if answer.answered:
                continue
            refused += 1
            if gave(answer.missing, item["missing"]):
                right += 1
            elif answer.missing:
                wrong += 1
        table[cut] = {"names a word the writer gave": round(right / max(refused, 1), 4),
                      "names only other words": round(wrong / max(refused, 1), 4), "refused": refused}
        print(f"  refusals name at centrality >= {cut}: the writer's word {right / max(refused, 1):.3f}, only "
              f"others {wrong / max(refused, 1):.3f} ({refused} refused)", flush=True)

    def gain(cut: float) -> tuple[float, float]:
        return round(table[cut]["names a word the writer gave"] - table[cut]["names only other words"], 4), cut

    best = max(CENTRAL_GRID, key=gain)
    return {"central_above": best, "near_misses": len(items), "on_fit_part": {str(c): v for c, v in table.items()}}
