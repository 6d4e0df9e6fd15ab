"""Recognise messages that signal self-harm or a medical emergency.

Deliberately broad: a false alarm costs one extra paragraph, a miss could
cost a life. The notice is added on top of the answer, never instead of it.
"""

from __future__ import annotations

import re

CRISIS = re.compile(
    r"\b(suicid\w*|kill(ing)? my ?self|end(ing)? (it all|my life|things)|take my (own )?life|want(ed)? to die"
    r"|(don'?t|do not) want to (live|be alive|wake up|go on)|no (reason|point) (in |to )?living|better off dead"
    r"|self[- ]?harm\w*|hurt(ing)? my ?self|cut(ting)? my ?self|harm(ing)? my ?self|overdos\w*"
    r"|(took|take|taking|swallow\w*) (all|a lot of|too many|the whole) (of )?(my |the )?(pills|tablets|meds)"
    r"|can'?t (go on|take it anymore|breathe)|not breathing|chest pains?|heart attack|stroke|seizure"
    r"|unconscious|passed out|anaphyla\w*|bleeding (heavily|a lot|won'?t stop)|emergency)\b",
    re.IGNORECASE,
)


def signals_crisis(message: str) -> bool:
    return bool(CRISIS.search(message))
