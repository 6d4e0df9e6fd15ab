"""The learned half of the notice classifier: what a message *means*, where the patterns see only its words.

Patterns (`bot.safety`) catch "I want to kill myself" and "chest pain"; they miss "everyone would be better
off if I just wasn't here" and "her lips are going blueish". On messages written blind for the purpose they
caught a quarter of crisis messages and half of the emergencies. So each notice also has a logistic
regression over the message's MiniLM embedding (the vector the bot computes anyway), fitted by
`python -m bot.fit_notices` on training messages written for it (never the evaluation ones), with its
threshold set where 3% of cross-validated ordinary messages would get the notice: a false alarm costs
one extra paragraph, a miss could cost a life. A notice is shown when either half calls for it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

NOTICE_MODEL_FILE = Path(__file__).resolve().parent / "data" / "notices.json"
KINDS = ("crisis", "emergency", "dosing")


@dataclass(frozen=True)
class NoticeModel:
    kinds: tuple[str, ...]
    coef: np.ndarray  # (kinds, embedding dimension)
    intercept: np.ndarray  # (kinds,)
    threshold: np.ndarray  # (kinds,) probability at or above which the notice is shown
    encoder: str  # the sentence encoder whose vectors it was fitted on

    @classmethod
    def load(cls, path: Path = NOTICE_MODEL_FILE) -> NoticeModel:
        d = json.loads(Path(path).read_text(encoding="utf-8"))
        kinds = tuple(d["kinds"])
        return cls(
            kinds,
            np.array([d["models"][k]["coef"] for k in kinds], np.float32),
            np.array([d["models"][k]["intercept"] for k in kinds], np.float32),
            np.array([d["models"][k]["threshold"] for k in kinds], np.float32),
            d["encoder"],
        )

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """(messages, kinds) probability that each notice is called for."""
        return 1 / (1 + np.exp(-(np.atleast_2d(vectors) @ self.coef.T + self.intercept)))

    def kinds_for(self, vector: np.ndarray) -> list[str]:
        p = self.probabilities(vector)[0]
        return [k for k, pk, t in zip(self.kinds, p, self.threshold, strict=True) if pk >= t]
