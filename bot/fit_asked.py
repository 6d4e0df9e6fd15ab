"""Step 4 of `python -m bot.fit`: the bundled articles' own answerability, with the neighbours' vote.

`bot.asked` explains the vote. Here: its number of neighbours (k) and the answerability model that reads it
beside the general evidence are fitted on the hair fit sets only, and everything is cross-validated leaving out
one hair set at a time (each was written by another helper, so a held-out set is a new writer). A training row's
vote always comes from the other sets' messages (stacking), and never from a near copy of it (`bot.suites.near_copy`:
the test sets' near copies are set aside from the fit, so a test message never meets one), as at answer time.
The vote is kept only if, at the same share of answerable questions refused, it refuses clearly more of the others
(`MIN_GAIN`) than the general evidence alone under the same cross-validation; else the step writes nothing and the
bundled articles keep the general model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.asked import ASKED_FEATURES, neighbour_vote, unit
from bot.fitting import _apply, fit_linear

K_GRID = (3, 5, 7, 10)  # neighbours that vote (~1,250 messages, ~550 of them not answerable)
# The vote must refuse this much more than the general evidence alone: with meaningless (random) vectors, the best
# of the four k gained up to 0.097 by chance over 30 draws of the unit test's 160-message fixture.
MIN_GAIN = 0.10


def near_copies(messages: list[str]) -> np.ndarray:
    """(messages x messages): which pairs share half their words (the rule that sets fit questions aside)."""
    from bot.suites import near_copy, words

    bags = [words(m) for m in messages]
    return np.array([[near_copy(a, [b]) for b in bags] for a in bags])


def out_of_set(
    v: np.ndarray, y: np.ndarray, sets: np.ndarray, rows: np.ndarray, k: int, copies: np.ndarray
) -> np.ndarray:
    """The vote for each of `rows`, each from the messages of the other sets among `rows`, near copies aside."""
    out = np.zeros(len(y))
    for s in np.unique(sets[rows]):
        held, train = rows & (sets == s), rows & (sets != s)
        out[held] = neighbour_vote(v[train], y[train], v[held], k, copies[np.ix_(held, train)])
    return out


def cross_validated(
    x: np.ndarray, v: np.ndarray | None, y: np.ndarray, sets: np.ndarray, k: int, copies: np.ndarray
) -> np.ndarray:
    """Answerability probabilities, each set's from models fitted on the other sets (`v` None: no vote)."""
    p = np.zeros(len(y))
    for s in np.unique(sets):
        held, train = sets == s, sets != s
        features = x
        if v is not None:
            vote = out_of_set(v, y, sets, train, k, copies)  # the training rows' votes, stacked as at answer time
            vote[held] = neighbour_vote(v[train], y[train], v[held], k, copies[np.ix_(held, train)])
            features = np.column_stack([x, vote])
        p[held] = 1 / (1 + np.exp(-_apply(fit_linear(features[train], y[train], balanced=True), features[held])))
    return p


def _refusals(p: np.ndarray, y: np.ndarray, share: float) -> tuple[float, float]:
    threshold = float(np.quantile(p[y], share))
    return threshold, float(np.mean(p[~y] < threshold))


def fit_asked(
    x: np.ndarray, v: np.ndarray, y: np.ndarray, sets: np.ndarray, share: float, copies: np.ndarray
) -> dict | None:
    """`x`: the general answerability evidence (`ANSWER_FEATURES`) of the hair fit questions; `v`: their messages'
    notice-encoder vectors; `sets`: which hair fit set each came from; `copies`: `near_copies` of their messages.
    Returns the vote (vectors, labels, k) and the model over `ASKED_FEATURES` with its threshold (refusing `share`
    of the answerable questions, cross-validated), or None when the vote does not earn its place."""
    v = unit(v)
    _, without = _refusals(cross_validated(x, None, y, sets, 0, copies), y, share)
    print(f"  bundled articles, general evidence alone (leave one hair set out): refuses {without:.3f} of "
          "near/off-topic", flush=True)
    best = None
    for k in K_GRID:
        p = cross_validated(x, v, y, sets, k, copies)
        threshold, refused = _refusals(p, y, share)
        print(f"  ... with the {k} nearest fit messages' vote: refuses {refused:.3f}", flush=True)
        if best is None or refused > best[0]:
            best = (refused, k, threshold, p)
    refused, k, threshold, p = best
    if refused < without + MIN_GAIN:
        return None
    stacked = np.column_stack([x, out_of_set(v, y, sets, np.ones(len(y), bool), k, copies)])
    model = fit_linear(stacked, y, balanced=True)
    return {"vectors": v, "answerable": y, "k": k, "model": {"features": ASKED_FEATURES, **model},
            "threshold": round(threshold, 4), "refuses": p < threshold,
            "cross_validated": {"leave one hair set out, non-answerable refused": {
                "general evidence": round(without, 4), "with the vote": round(refused, 4)},
                "answerable refused": share,
                "questions": {"answerable": int(y.sum()), "not answerable": int((~y).sum())}}}


def asked_entry(fitted: dict, out: Path, encoder: str, digest: str) -> dict:
    """Write the vote's messages beside ranker.json; return ranker.json's `bundled.asked` entry."""
    from bot.asked import ASKED_FILE, save_neighbours

    sha = save_neighbours(fitted["vectors"], fitted["answerable"], out.parent / ASKED_FILE.name)
    keep = {k: v for k, v in fitted.items() if k not in ("vectors", "answerable", "refuses")}
    return {"file": ASKED_FILE.name, "sha256": sha, "encoder": encoder, "encoder_xxh3_128": digest, **keep}


def bundled_answerability(rows: list, answer: dict, out: Path, encode) -> dict | None:  # noqa: ANN001
    """The bundled articles' `asked` entry from the answerability rows (`bot.fit_answer.AnswerRow`) of the hair fit
    sets, with the concept settings the general fit chose (`answer`), or None. The absent-concept rule is refitted
    beside the new model (`bot.fit_answer.fit_absent_rule`); the cross-encoder floor is the general one. `encode`:
    message -> its notice-encoder vector, the one `bot.fit` reads for the routes too (one thread, one message per
    call: the same vectors on any machine)."""
    from bot.answerable import ConceptChecker, answer_features
    from bot.fit_answer import MAX_FALSE_ABSTENTION, combined_refusals, fit_absent_rule
    from bot.notice_model import NOTICE_ENCODER, NoticeModel
    from bot.questions import asked

    hair = [r for r in rows if r.hair]
    notices = NoticeModel.load()
    v = np.vstack([encode(r.message) for r in hair])
    checkers: dict[int, ConceptChecker] = {}
    kept = []
    for r in hair:
        if id(r.bot) not in checkers:
            checkers[id(r.bot)] = ConceptChecker(r.bot.index.vocab, answer["salient_zipf"], answer["covered"])
        checker = checkers[id(r.bot)]
        kept.append(((checker, checker.check(r.text, r.bot.encoder, r.best.quoted, asked(r.message))), r))
    x = np.vstack([answer_features(r.best.ce, c, r.best.type_miss, answer["central"]) for (_, c), r in kept])
    y, sets = np.array([r.answerable for r in hair]), np.array([r.suite for r in hair])
    fitted = fit_asked(x, v, y, sets, MAX_FALSE_ABSTENTION, near_copies([r.message for r in hair]))
    if fitted is None:
        print("  the neighbours' vote did not earn its place: the bundled articles keep the general model")
        return None
    ok = np.ones(len(y), bool)
    rule = fit_absent_rule(kept, fitted["refuses"], y, ok)
    together = combined_refusals(kept, fitted["refuses"], y, ok, rule, answer.get("ce_floor"))
    print(f"  bundled model, its absent-concept rule and the floor together, on the fit part: {together}", flush=True)
    entry = asked_entry(fitted, out, NOTICE_ENCODER, notices.encoder_digest)
    return {**entry, "absent": rule, "all_rules_on_fit_part": together}
