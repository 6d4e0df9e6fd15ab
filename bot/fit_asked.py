"""Step 4 of `python -m bot.fit`: the bundled articles' own answerability, with the question classifier.

`bot.asked` explains the classifier. Here: its strength (C) and the answerability model that reads its logit
beside the general evidence are fitted on the hair fit sets only, and everything is cross-validated leaving out
one hair set at a time (each was written by another helper, so a held-out set is a new writer). The classifier's
logit for a training row always comes from a classifier that did not see it (stacking), as it will at answer
time. The classifier is kept only if, at the same share of answerable questions refused, it refuses more of the
others than the general evidence alone under the same cross-validation; else the step writes nothing and the
bundled articles keep the general model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.asked import ASKED_FEATURES
from bot.fitting import _apply, fit_linear

C_GRID = (0.03, 0.1, 0.3)  # the classifier's inverse regularisation (384 weights, ~880 questions)


def _classifier(v: np.ndarray, y: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    """Standardised, class-balanced logistic regression; the standardisation folded into the weights."""
    from sklearn.linear_model import LogisticRegression

    mean, scale = v.mean(0), v.std(0) + 1e-6
    model = LogisticRegression(C=c, max_iter=5000, class_weight="balanced").fit((v - mean) / scale, y)
    coef = model.coef_[0] / scale
    return coef, float(model.intercept_[0] - coef @ mean)


def out_of_set(v: np.ndarray, y: np.ndarray, sets: np.ndarray, rows: np.ndarray, c: float) -> np.ndarray:
    """The classifier's logit for each of `rows`, each from a classifier fitted on the other sets among `rows`."""
    out = np.zeros(len(y))
    for s in np.unique(sets[rows]):
        held, train = rows & (sets == s), rows & (sets != s)
        coef, intercept = _classifier(v[train], y[train], c)
        out[held] = v[held] @ coef + intercept
    return out


def cross_validated(x: np.ndarray, v: np.ndarray | None, y: np.ndarray, sets: np.ndarray, c: float) -> np.ndarray:
    """Answerability probabilities, each set's from models fitted on the other sets (`v` None: no classifier)."""
    p = np.zeros(len(y))
    for s in np.unique(sets):
        held, train = sets == s, sets != s
        features = x
        if v is not None:
            inner = out_of_set(v, y, sets, train, c)  # the training rows' logits, stacked as at answer time
            coef, intercept = _classifier(v[train], y[train], c)
            inner[held] = v[held] @ coef + intercept
            features = np.column_stack([x, inner])
        p[held] = 1 / (1 + np.exp(-_apply(fit_linear(features[train], y[train], balanced=True), features[held])))
    return p


def _refusals(p: np.ndarray, y: np.ndarray, share: float) -> tuple[float, float]:
    threshold = float(np.quantile(p[y], share))
    return threshold, float(np.mean(p[~y] < threshold))


def fit_asked(x: np.ndarray, v: np.ndarray, y: np.ndarray, sets: np.ndarray, share: float) -> dict | None:
    """`x`: the general answerability evidence (`ANSWER_FEATURES`) of the hair fit questions; `v`: their messages'
    notice-encoder vectors; `sets`: which hair fit set each came from. Returns the classifier's weights and the
    model over `ASKED_FEATURES` with its threshold (refusing `share` of the answerable questions, cross-validated),
    or None when the classifier does not earn its place."""
    _, without = _refusals(cross_validated(x, None, y, sets, 0.0), y, share)
    print(f"  bundled articles, general evidence alone (leave one hair set out): refuses {without:.3f} of "
          "near/off-topic", flush=True)
    best = None
    for c in C_GRID:
        p = cross_validated(x, v, y, sets, c)
        threshold, refused = _refusals(p, y, share)
        print(f"  ... with the question classifier, C={c}: refuses {refused:.3f}", flush=True)
        if best is None or refused > best[0]:
            best = (refused, c, threshold, p)
    refused, c, threshold, p = best
    if refused <= without:
        return None
    coef, intercept = _classifier(v, y, c)
    stacked = np.column_stack([x, out_of_set(v, y, sets, np.ones(len(y), bool), c)])
    model = fit_linear(stacked, y, balanced=True)
    return {"coef": coef, "intercept": intercept, "C": c, "model": {"features": ASKED_FEATURES, **model},
            "threshold": round(threshold, 4), "refuses": p < threshold,
            "cross_validated": {"leave one hair set out, non-answerable refused": {
                "general evidence": round(without, 4), "with the classifier": round(refused, 4)},
                "answerable refused": share,
                "questions": {"answerable": int(y.sum()), "not answerable": int((~y).sum())}}}


def asked_entry(fitted: dict, out: Path, encoder: str, digest: str) -> dict:
    """Write the classifier's weights beside ranker.json; return ranker.json's `bundled.asked` entry."""
    from bot.asked import ASKED_FILE, save_weights

    sha = save_weights(fitted["coef"], fitted["intercept"], out.parent / ASKED_FILE.name)
    keep = {k: v for k, v in fitted.items() if k not in ("coef", "intercept", "refuses")}
    return {"file": ASKED_FILE.name, "sha256": sha, "encoder": encoder, "encoder_xxh3_128": digest, **keep}


def bundled_answerability(rows: list, answer: dict, out: Path) -> dict | None:
    """The bundled articles' `asked` entry from the answerability rows (`bot.fit_answer.AnswerRow`) of the hair fit
    sets, with the concept settings the general fit chose (`answer`), or None. The absent-concept rule is refitted
    beside the new model (`bot.fit_answer.fit_absent_rule`); the cross-encoder floor is the general one."""
    from bot.answerable import ConceptChecker, answer_features
    from bot.fit_answer import MAX_FALSE_ABSTENTION, combined_refusals, fit_absent_rule
    from bot.notice_model import NOTICE_ENCODER, NoticeModel
    from bot.questions import asked

    hair = [r for r in rows if r.hair]
    notices = NoticeModel.load()
    encoder = notices.load_encoder(threads=1)  # one thread, one message per call: the same vectors on any machine
    v = np.vstack([encoder.encode([r.message]) for r in hair])
    checkers: dict[int, ConceptChecker] = {}
    kept = []
    for r in hair:
        if id(r.bot) not in checkers:
            checkers[id(r.bot)] = ConceptChecker(r.bot.index.vocab, answer["salient_zipf"], answer["covered"])
        checker = checkers[id(r.bot)]
        kept.append(((checker, checker.check(r.text, r.bot.encoder, r.best.quoted, asked(r.message))), r))
    x = np.vstack([answer_features(r.best.ce, c, r.best.type_miss, answer["central"]) for (_, c), r in kept])
    y, sets = np.array([r.answerable for r in hair]), np.array([r.suite for r in hair])
    fitted = fit_asked(x, v, y, sets, MAX_FALSE_ABSTENTION)
    if fitted is None:
        print("  the question classifier did not earn its place: the bundled articles keep the general model")
        return None
    ok = np.ones(len(y), bool)
    rule = fit_absent_rule(kept, fitted["refuses"], y, ok)
    together = combined_refusals(kept, fitted["refuses"], y, ok, rule, answer.get("ce_floor"))
    print(f"  bundled model, its absent-concept rule and the floor together, on the fit part: {together}", flush=True)
    entry = asked_entry(fitted, out, NOTICE_ENCODER, notices.encoder_digest)
    return {**entry, "absent": rule, "all_rules_on_fit_part": together}
