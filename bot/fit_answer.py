"""Step 3 of `python -m bot.fit`: answer or abstain, fitted on the fit parts' whole questions.

Answerable questions against near misses and off-topic ones: a logistic regression over relevance, concept
coverage and answer type with a threshold that refuses at most MAX_FALSE_ABSTENTION of the answerable
questions of each corpus (cross-validated; a user's own folder is not hair loss, so COVID and MedQuAD
questions bind the threshold as much as the bundled articles' do); then two cuts fitted on the same
questions: the absent-concept rule and the cross-encoder floor; then what the three refuse together. Kept
apart from the ranking fit so each file reads top to bottom; needs scikit-learn.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from bot.answerable import ANSWER_FEATURES
from bot.fitting import cv_predict, fit_linear
from bot.ranker import Linear

MAX_FALSE_ABSTENTION = 0.05  # of each corpus's answerable fit questions (the issue allows 5% on held-out ones)
# Zipf, word cosine with the articles' words, cross-encoder logit (99: no gate), the word's cosine with what is
# asked (-1: every word)
ABSENT_GRID = [(z, c, g, k) for z in (2.5, 3.0, 3.5, 4.0, 4.5, 5.0) for c in (0.4, 0.45, 0.5, 0.55, 0.6, 0.65)
               for g in (-4.0, -2.0, 0.0, 2.0, 4.0, 99.0) for k in (-1.0, 0.1, 0.2, 0.3, 0.4)]
RISING = (True, True, True, False)  # per axis: does the rule refuse more as the cut rises? (centrality: fewer)
ABSENT_EXTRA = 0.02  # the absent-concept rule may refuse this many more answerable hair questions (of the fit part)
FLOOR_REFUSED = 0.02  # the cross-encoder floor (`bot.decide.far_off_topic`) may refuse this share of them
GRID = [(z, c) for z in (4.5, 5.5) for c in (0.6,)]  # wider grids (3.5-6.0, 0.5-0.8) never moved the result
CENTRAL_GRID = (-1.0, 0.1, 0.2, 0.3, 0.4, 0.5)  # the quotes' coverage is read over words this central to what is asked


class AnswerRow(NamedTuple):
    """One fit-part question as `bot.fit` ranks it, with what the answerability fits read of it."""

    answerable: bool
    text: str  # its search texts, joined (what the concept checker reads)
    ranked: list  # `bot.decide.Ranked`, one per search text
    bot: object  # the `Bot` that ranked it: its index's vocabulary and its encoder
    corpus: str  # which articles it is asked of ("hair", or the suite): the threshold refuses few of each's
    message: str  # the question as the patient wrote it
    suite: str = ""  # the suite it comes from (the bundled articles' own fit leaves one hair set out at a time)

    @property
    def hair(self) -> bool:
        """About the bundled articles: the absent-concept rule's and the floor's cuts are set on these."""
        return self.corpus == "hair"

    @property
    def best(self):  # noqa: ANN201 - bot.decide.Ranked
        """The search text whose best window the cross-encoder scores highest: what `bot.decide.decide` reads."""
        return max(self.ranked, key=lambda r: r.ce)


def fit_absent_rule(kept: list, model_refuses: np.ndarray, y: np.ndarray, ok: np.ndarray) -> dict | None:
    """The absent-concept rule's cuts (`bot.decide.absent_words`): the ones that refuse the most questions the
    articles do not answer while refusing at most ABSENT_EXTRA more answerable hair questions than the model
    alone, counted at the cut and at the next cut that refuses more on each axis (a cut beside a cliff is not
    trusted). Its figures are measured on the same fit questions the cuts were chosen on: optimistic, hence
    "on_fit_part"."""
    from bot.decide import absent_words

    ce = [r.best.ce for _, r in kept]
    base_false = float(np.mean(model_refuses[y & ok]))
    table = {}
    for rarer, below, gate, central in ABSENT_GRID:
        rule = {"rarer_than": rarer, "cosine_below": below, "ce_below": gate, "central_above": central}
        absent = np.array([bool(absent_words(checker, c, rule, r.message, e))
                           for ((checker, c), r), e in zip(kept, ce, strict=True)])
        refuses = model_refuses | absent
        table[rarer, below, gate, central] = (float(np.mean(refuses[y & ok])), float(np.mean(refuses[~y])))
    axes = [sorted({k[i] for k in table}) for i in range(len(RISING))]
    best = None
    for key, (false, caught) in table.items():
        # the neighbour to fear is the next cut that refuses more (up a rising axis, down centrality's); none there
        # on the Zipf or cosine axis means the cut is not known to be safe (99, "no gate", has nothing above it)
        nxt = [axes[i].index(key[i]) + (1 if RISING[i] else -1) for i in range(len(RISING))]
        if nxt[0] == len(axes[0]) or nxt[1] == len(axes[1]):
            continue
        near = [tuple(axes[i][min(max(nxt[i], 0), len(axes[i]) - 1)] if i == j else key[i] for i in range(len(key)))
                for j in range(len(key))]
        if max(table[n][0] for n in [key, *near]) <= base_false + ABSENT_EXTRA and (best is None or caught > best[1]):
            best = (key, caught, false)
    if best is None:
        return None
    (rarer, below, gate, central), caught, false = best
    print(f"  absent rule Zipf < {rarer}, cosine < {below}, cross-encoder < {gate}, centrality >= {central}: refuses "
          f"{caught:.3f} of near/off-topic, {false:.3f} of answerable hair questions", flush=True)
    return {"rarer_than": rarer, "cosine_below": below, "ce_below": gate, "central_above": central,
            "on_fit_part": {"refused": round(caught, 4), "answerable refused": round(false, 4)}}


def fit_ce_floor(rows: list[AnswerRow]) -> dict | None:
    """The highest cross-encoder logit (of each question's best window) below which at most FLOOR_REFUSED of the
    answerable hair questions fall. Far off-topic questions sit at the model's floor, about -11; answerable ones
    this low are vague ("are they looking for people?"), so the share is small but not zero."""
    ce = np.array([r.best.ce for r in rows])
    answerable, hair = np.array([r.answerable for r in rows], bool), np.array([r.hair for r in rows], bool)
    mine = np.sort(ce[answerable & hair])
    if not len(mine):
        return None
    below = float(mine[int(np.floor(FLOOR_REFUSED * len(mine)))])  # strictly below it: at most that share
    groups = (("answerable hair questions", answerable & hair), ("answerable, other suites", answerable & ~hair),
              ("not answerable", ~answerable))
    refused = {kind: round(float(np.mean(ce[m] < below)), 4) for kind, m in groups if m.any()}
    print(f"  cross-encoder floor {below:.2f}: refuses {refused}", flush=True)
    return {"below": float(np.floor(below * 1e4) / 1e4), "on_fit_part": refused}  # rounded down: stays strict


def combined_refusals(kept: list, model_refuses: np.ndarray, y: np.ndarray, ok: np.ndarray, rule: dict | None,
                      floor: dict | None) -> dict:
    """What `bot.decide.decide` refuses on the fit part with all three parts together: the model (cross-validated),
    the absent-concept rule and the floor (both fitted on these questions: optimistic)."""
    from bot.decide import absent_words, far_off_topic

    refuses = model_refuses.copy()
    for i, ((checker, concepts), row) in enumerate(kept):
        ce = row.best.ce
        refuses[i] |= bool(absent_words(checker, concepts, rule, row.message, ce)) or far_off_topic(floor, ce)
    return {"answerable hair questions refused": round(float(np.mean(refuses[y & ok])), 4),
            "not answerable refused": round(float(np.mean(refuses[~y])), 4)}


def fit_answerability(rows: list[AnswerRow]) -> dict:
    """Grid over the concept settings and over the training pool (all suites, or the hair ones only); the
    threshold refuses at most MAX_FALSE_ABSTENTION of each corpus's answerable questions, cross-validated. Then the
    absent-concept rule's cuts (`fit_absent_rule`)."""
    from bot.answerable import ConceptChecker, answer_features
    from bot.questions import asked

    y = np.array([r.answerable for r in rows])
    corpus = np.array([r.corpus for r in rows])
    own = corpus == "hair"  # questions about the bundled articles: the cuts are set on these
    corpora = [corpus == c for c in sorted(set(corpus[y]))]
    best = None
    for zipf, covered in GRID:
        concepts, checkers = [], {}
        for row in rows:
            if id(row.bot) not in checkers:  # one per index and setting: building one stems its whole vocabulary
                checkers[id(row.bot)] = ConceptChecker(row.bot.index.vocab, zipf, covered)
            checker = checkers[id(row.bot)]
            concepts.append((checker, checker.check(row.text, row.bot.encoder, row.best.quoted, asked(row.message))))
        features = {k: np.vstack([answer_features(r.best.ce, c, r.best.type_miss, k)  # once per cut, both pools
                                  for (_, c), r in zip(concepts, rows, strict=True)]) for k in CENTRAL_GRID}
        for central, pool in ((k, pool) for k in CENTRAL_GRID for pool in ("all", "hair")):
            x = features[central]
            keep = np.ones(len(y), bool) if pool == "all" else own
            model = fit_linear(x[keep], y[keep], balanced=True)  # what is shipped, if this pool wins
            # questions the pool leaves out are out of sample for the model fitted on all of it; the pool's own
            # are cross-validated
            logit = Linear.from_dict({"features": ANSWER_FEATURES, **model}).logit(x, ANSWER_FEATURES).astype(float)
            logit[keep] = cv_predict([x[keep]], [y[keep]], list(range(x.shape[1])), folds=5, rows=True,
                                     balanced=True)[0]
            p = 1 / (1 + np.exp(-logit))
            threshold = min(float(np.quantile(p[y & m], MAX_FALSE_ABSTENTION)) for m in corpora)
            refused = float(np.mean(p[keep & ~y] < threshold))
            by_corpus = {str(corpus[m][0]): round(float(np.mean(p[y & m] < threshold)), 3) for m in corpora}
            print(f"  Zipf < {zipf}, cosine {covered}, quotes' coverage over words of centrality >= {central}, "
                  f"fitted on {pool}: refuses {refused:.3f} of near/off-topic, "
                  f"answerable refused by corpus {by_corpus} (cross-validated)", flush=True)
            if best is None or refused > best[0]:
                kept = [(c, r) for c, r, k in zip(concepts, rows, keep, strict=True) if k]
                best = (refused, zipf, covered, y[keep], threshold, pool, (p < threshold)[keep], own[keep],
                        kept, by_corpus, model, central)
    refused, zipf, covered, y, threshold, pool, model_refuses, ok, kept, by_corpus, model, central = best
    rule = fit_absent_rule(kept, model_refuses, y, ok)
    floor = fit_ce_floor(rows)
    together = combined_refusals(kept, model_refuses, y, ok, rule, floor)
    print(f"  model, absent-concept rule and floor together, on the fit part: {together}", flush=True)
    return {"model": {"features": ANSWER_FEATURES, **model}, "threshold": round(threshold, 4),
            "salient_zipf": zipf, "covered": covered, "central": central, "fitted_on": pool, "absent": rule,
            "ce_floor": floor, "all_rules_on_fit_part": together,
            "cross_validated": {"non-answerable refused": round(refused, 4),
                                "answerable refused by corpus": by_corpus,
                                "questions": {"answerable": int(y.sum()), "not answerable": int((~y).sum())}}}
