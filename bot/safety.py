"""Which fixed notices a message calls for: self-harm, a medical emergency, a personal dosing question, a language.

Deliberately broad: a false alarm costs one extra paragraph, a miss could cost a life. Each situation has
its own notice (a person with chest pain needs "call an ambulance", not a crisis line), a message may call
for several, and notices come on top of the answer, never instead of it. Patterns catch the explicit
wording and can be read and reviewed; the learned model (`bot.notice_model`) adds what the words alone do
not show. Either one is enough.
"""

from __future__ import annotations

import re

CRISIS = re.compile(
    r"\b(suicid\w*|kill(ing)? (my|him|her|them)sel(f|ves)|end(ing)? (it all|my life|things|everything)"
    r"|take my (own )?life|want(ed)? to die|wish I (was|were) dead|(better|be) off dead|no (reason|point) (in |to )?"
    r"(living|live|go on)|(don'?t|do not|can'?t) see (the|any) point (of|in) (living|life|going on)"
    r"|(don'?t|do not) want to (live|be alive|wake up|go on)|(go to sleep|sleep) and (never|not) wake up"
    r"|self[- ]?harm\w*|hurt(ing)? my ?self|cut(ting)? my ?self|I cut myself|harm(ing)? my ?self|overdos\w*"
    r"|(took|take|taking|swallow\w*) (all|a lot of|too many|the whole|a handful of) (of )?(my |the |his |her )?"
    r"(\w+ )?(pills|tablets|meds)|written (goodbye |farewell )?letters|giving (his|her|my|their) (stuff|things)"
    r" away|I'?m (just )?done(?=\s*([.!?,]|$))|I'?m done with (it all|life|everything|living|being alive)"
    r"|can'?t (go on|take it any ?more|live like this|do this any ?more|cope any ?more)"
    r"|(want|going|thinking( about| of)?|plan\w*) (to )?end(ing)? it( all)?(?=\s*([.!?]|$))|better off without me"
    r"|(point|reason) (of|in|to) (even )?(going on|carrying on|living|being here)(?=\s*([.!?]|$))"
    r"|(don'?t|do not) want to be here any ?more|I (just )?(want|wish|wanna) (to )?(just )?disappear)",
    re.IGNORECASE,
)
EMERGENCY = re.compile(
    r"\b(chest (pain|is (really |very )?(tight|hurting))|chest pains|tight(ness)? (in|of) (my|the) chest"
    r"|can'?t (breathe|breath)|cannot breathe|(trouble|difficulty|struggling) breathing|short(ness)? of breath"
    r"|not breathing|isn'?t breathing|stopped breathing|throat (is |feels )?(tight|closing|swell\w*)"
    r"|(lips?|tongue|face|throat) (is |are )?(swelling|swollen|swell)|swelling (of|in) (my|the) (throat|tongue|lips?)"
    r"|anaphyla\w*|severe allergic|allergic reaction|hives all over|faint(ed|ing)"
    r"|(feel|feeling|felt|going to|gonna|about to) faint|passed out|unconscious"
    r"|collaps\w*|(isn'?t|not|won'?t) waking up|unresponsive|seizure|fit(ting)? and|convuls\w*|heart attack"
    r"|stroke|face (is )?drooping|slurred|arm (has )?gone numb|numb(ness)? (in|down) (my|his|her) (left )?arm"
    r"|coughing (up )?blood|vomiting blood|bleeding (heavily|a lot|badly)|bleeding .{0,20}won'?t stop"
    r"|heavy bleeding|worst headache|overdos\w*|swallowed (a handful|some|all|the)|poison\w*|emergency"
    r"|fever of (3[89]|4\d)(\.\d)? ?(c|°c|degrees)?|(confused|confusion) and|and confused"
    r"|can'?t (see|feel|move) (properly|my)|stiff neck|high fever|rash all over"
    r"|(lips|face|fingers) (are|is|went|turning) (blue|grey)|blacked out|(vomit|throw)\w* up blood)\b",
    re.IGNORECASE,
)
DOSING = re.compile(
    r"\b(how (much|many|often|many times)\b.{0,40}\b(should|can|do|must|may) (i|we|he|she|they|my \w+)\b"
    r"|what (dose|dosage|strength)\b.{0,30}\b(should|can|do) (i|we|he|she)|(should|can|do) (i|we) (take|use|give)"
    r"|(should|can|could|may) (i|we|he|she) (just )?(stop|start|quit|come off|switch|skip|double|increase|reduce"
    r"|keep|bump|raise|lower|taper|wean)\b|cold turkey|tapering|start (it |them )?on my own"
    r"|(should|can) (i|we) (still )?(keep )?taking|(stop|start|quit) (taking|my|the) (\w+ )?(pills|tablets|meds"
    r"|medication|treatment|dose)|give (my|him|her) (son|daughter|child|kid)|half (of )?my (\w+ )?dose"
    r"|double (my|the|up)|missed (a|my) (\w+ )?dose|is \d+ ?mg\b.{0,40}enough|together with|keep taking"
    r"|where (can|do|could|should) (i|we|you) (buy|get|order|purchase|find)|(where to|how to|can i) (buy|order"
    r"|purchase)|(buy|order)\w*\b.{0,40}\bonline|(website|site|shop|pharmacy)\b.{0,30}\b(buy|order|get)|(buy|order)"
    r"\b.{0,30}\b(website|site|shop|pharmacy)|without (a )?prescription|get (a )?prescription"
    r"|(stop|quit|come off) (taking )?my (\w+ )?(pills|tablets|meds|medication|medicine|dose|injections|\w+inib"
    r"|minoxidil|finasteride|steroids?))",
    re.IGNORECASE,
)


def notices_for(message: str, learned: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Kinds of fixed notice (keys of `bot.answer.NOTICES`) a message calls for, most urgent first: those its
    words match, and those the learned model (`bot.notice_model`, passed in as `learned`) finds in its meaning."""
    found = {
        "crisis": CRISIS.search(message) is not None,
        "emergency": EMERGENCY.search(message) is not None,
        "dosing": DOSING.search(message) is not None,
    }
    return [kind for kind, hit in found.items() if hit or kind in learned]

