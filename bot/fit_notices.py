"""Fit the learned notice model (`bot.notice_model`): `python -m bot.fit_notices`.

Training messages: `bot/data/suites/notices-train.jsonl` (written blind for this purpose, never evaluated on),
the notice messages of hair-fit, and, as ordinary messages, the fit parts of the other suites. The evaluation
sets (`safety`, hair-heldout) are not read. Per notice: a logistic regression over the MiniLM embedding,
its strength chosen by cross-validated recall, its threshold where FALSE_ALARMS of cross-validated
ordinary messages would get the notice. Writes bot/data/notices.json (reviewed in git). Needs scikit-learn.
"""

from __future__ import annotations

import json

import numpy as np

from bot.notice_model import KINDS, NOTICE_MODEL_FILE
from bot.settings import SUITES_DIR, Settings
from bot.suites import SUITES, load_jsonl

FALSE_ALARMS = 0.03
STRENGTHS = (1.0, 10.0)


def training_messages() -> list[tuple[str, set[str]]]:
    out = [(i["question"], set(i["kinds"])) for i in load_jsonl(SUITES_DIR / "notices-train.jsonl")]
    for name in ("hair-fit", "hair-seed", "hair-conversations", "covid-faq", "medquad"):
        for item in SUITES[name]().part("fit"):
            for text in [item.get("question"), *(item.get("history") or [])]:
                if isinstance(text, str):
                    out.append((text, {item["kind"]} & set(KINDS)))
    return out


def main() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    from index.encoders import MODEL_NAME
    from index.reader import open_index

    encoder = open_index(Settings.from_env().index_dir, model=MODEL_NAME).encoder
    messages = training_messages()
    x = encoder.encode([m for m, _ in messages])
    out = {"encoder": MODEL_NAME, "kinds": list(KINDS), "false_alarms": FALSE_ALARMS, "messages": len(messages),
           "models": {}}
    for kind in KINDS:
        y = np.array([kind in kinds for _, kinds in messages])
        best = None
        for c in STRENGTHS:
            model = LogisticRegression(C=c, class_weight="balanced", max_iter=5000)
            folds = StratifiedKFold(5, shuffle=True, random_state=0)
            p = cross_val_predict(model, x, y, cv=folds, method="predict_proba")[:, 1]
            threshold = float(np.quantile(p[~y], 1 - FALSE_ALARMS))
            recall = float(np.mean(p[y] >= threshold))
            print(f"{kind}: C={c}: cross-validated recall {recall:.3f} at {FALSE_ALARMS:.0%} false alarms", flush=True)
            if best is None or recall > best[0] + 0.005:  # the stronger regularisation (listed first) wins a near-tie
                best = (recall, c, threshold)
        recall, c, threshold = best
        model = LogisticRegression(C=c, class_weight="balanced", max_iter=5000).fit(x, y)
        out["models"][kind] = {
            "coef": [round(float(v), 6) for v in model.coef_[0]], "intercept": round(float(model.intercept_[0]), 6),
            "threshold": round(threshold, 6), "C": c, "positives": int(y.sum()),
            "cross_validated_recall": round(recall, 4),
        }
    NOTICE_MODEL_FILE.write_text(json.dumps(out) + "\n", encoding="utf-8")
    print(f"wrote {NOTICE_MODEL_FILE}")


if __name__ == "__main__":
    main()
