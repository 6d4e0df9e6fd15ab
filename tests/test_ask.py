"""The core `ask()` with the real model and the real index of the bundled articles."""

import numpy as np
import pytest

from bot.answer import DISCLAIMER, SAFETY_NOTICE
from index.errors import InvalidQuestion, SourceNotFound

ON_TOPIC = [
    "Will my hair grow back if I stop the pills?",
    "what causes alopecia areata",
    "can I get kerastem in america",
    "is gene therapy dangerous",
]
OFF_TOPIC = ["Who won the Arsenal vs Sporting match?", "How do I bake sourdough bread?", "What's the weather tomorrow?",
             "What is the capital of Australia?"]


@pytest.mark.parametrize("question", ON_TOPIC)
def test_quotes_are_verbatim_cited_and_followed_by_the_disclaimer(bot, question):
    answer = bot.ask(question)
    assert answer.answered and answer.quotes
    assert answer.disclaimer == DISCLAIMER
    for quote in answer.quotes:
        source = bot.source(quote.source.id)
        assert source.text[quote.start : quote.end] == quote.text
        assert quote.source.title == source.title
    spans = [(q.source.id, q.start, q.end) for q in answer.quotes]
    for i, (doc, start, end) in enumerate(spans):  # no two quotes overlap
        for doc2, start2, end2 in spans[i + 1 :]:
            assert doc != doc2 or end <= start2 or end2 <= start


def test_the_pills_question_quotes_what_happens_after_stopping(bot):
    answer = bot.ask("Will my hair grow back if I stop the pills?")
    assert "After treatment with the drug has stopped" in answer.quotes[0].text


@pytest.mark.parametrize("question", OFF_TOPIC)
def test_off_topic_questions_abstain_with_the_same_disclaimer(bot, question):
    answer = bot.ask(question)
    assert not answer.answered and answer.quotes == []
    assert answer.message and ("could not find" in answer.message or "don't mention" in answer.message)
    assert answer.disclaimer == DISCLAIMER


def test_a_question_with_no_rare_word_is_refused_by_the_cross_encoder_floor(bot):
    """No word of it is rare enough to be found absent, so only the floor (`bot.decide.far_off_topic`) refuses."""
    question = "Where is the big house?"
    assert bot.checker.salient(question) == []
    assert bot.ranked(question).ce < bot.ranker.answer["ce_floor"]["below"]
    answer = bot.ask(question)
    assert not answer.answered and answer.missing == []


def test_crisis_message_gets_the_safety_notice(bot):
    assert bot.ask("I want to end my life, I can't cope with losing my hair").notice == SAFETY_NOTICE
    assert bot.ask("what causes alopecia areata").notice is None


def test_top_k_bounds_the_number_of_quotes(bot):
    assert len(bot.ask("what treatments are there for alopecia areata", top_k=1).quotes) == 1
    assert len(bot.ask("what treatments are there for alopecia areata", top_k=5).quotes) <= 5
    with pytest.raises(InvalidQuestion):
        bot.ask("hair", top_k=0)


@pytest.mark.parametrize("question", ["", "   \n\t ", "x" * 4001, None, "\udcff hair loss?"])
def test_bad_questions_raise_a_clear_error(bot, question):
    with pytest.raises(InvalidQuestion) as err:
        bot.ask(question)
    assert "question" in str(err.value)


def test_no_quote_contains_page_furniture(bot):
    furniture = [
        "Latest Stories",
        "Also on HuffPost",
        "Previous Post",
        "QR code",
        "Arsenal thrash",
        "mins -",
        "before and after treatment",
        "Copy of New Street",
        "free consultation",
    ]
    for question in [*ON_TOPIC, "latest stories", "Arsenal", "scan the QR code to join the trial", "next post"]:
        for quote in bot.ask(question, top_k=10).quotes:
            assert not any(f in quote.text for f in furniture), quote.text


def test_unknown_source_is_a_domain_error(bot):
    with pytest.raises(SourceNotFound):
        bot.source("no-such-article")


def test_repeat_is_served_from_the_cache_with_the_question_as_asked(bot):
    first = bot.ask("What causes alopecia areata?")
    assert bot.is_cached("  What causes alopecia areata? ")
    second = bot.ask("  What causes alopecia areata? ")
    assert second.quotes is first.quotes
    assert second.question == "  What causes alopecia areata? "
    # case can change the reading ("Should I?" leans on the conversation; "Kerastem" names its topic): not shared
    assert not bot.is_cached("what CAUSES alopecia areata?") and not bot.is_cached("", None, ["x"])


def test_each_situation_gets_its_own_notice_first(bot):
    from bot.answer import DOSING_NOTICE, EMERGENCY_NOTICE

    emergency = bot.ask("Chest pain and can't breathe since taking the tablets")
    assert emergency.notices[0] == "emergency" and emergency.notice == EMERGENCY_NOTICE
    assert "crisis" not in emergency.notices
    dosing = bot.ask("How much ruxolitinib should I take?")
    assert dosing.notices == ["dosing"] and dosing.notice == DOSING_NOTICE
    assert bot.ask("Est-ce que le ruxolitinib fait repousser les cheveux chez les enfants ?").notices == ["language"]


def test_an_abstention_names_what_the_articles_never_mention(bot):
    answer = bot.ask("How do I bake sourdough bread?")
    assert not answer.answered and "sourdough" in answer.missing
    assert "don't mention" in answer.message and "sourdough" in answer.message
    assert answer.to_dict()["missing"] == answer.missing


def test_no_abstention_says_the_articles_never_mention_a_word_they_use(bot):
    """Over one blind fit set's questions (answerable and near misses): "These articles don't mention X" only for
    an X the articles never use (by spelling or stem) nor come near (no word of theirs as close as the checker's
    `covered` cut: "pills" is theirs through "tablets"); of a word they use it says that nothing in them answers
    this about it ("stress" was once called unmentioned: the passages that would answer lacked it, the articles did
    not)."""
    from bot.suites import SUITES
    from index.vocab import words_of

    checker, unanswered_about = bot.checker, 0
    for item in SUITES["hair-fit-i"]().part("fit"):
        answer = bot.ask(item["question"])
        if answer.answered or not answer.missing:
            continue
        concepts = checker.check(item["question"], bot.encoder)
        corpus = dict(zip(concepts.words, concepts.corpus, strict=True))
        coverage = [corpus[w] for w in answer.missing]
        if "don't mention" in answer.message:
            assert not any(checker.theirs(answer.missing)), (item["question"], answer.missing)
            assert all(c < checker.covered for c in coverage), (item["question"], answer.missing)
        else:
            assert "answers this about" in answer.message, item["question"]
            assert all(c >= checker.covered for c in coverage), item["question"]
            unanswered_about += 1
        assert all(w in words_of(item["question"]) for w in answer.missing)  # only the patient's own words
    assert unanswered_about  # the set holds both kinds


def test_a_follow_up_is_read_with_the_question_that_names_its_topic(bot):
    history = ["Does ruxolitinib make hair grow back?"]
    follow = bot.ask("and what happens if they stop taking it?", history=history)
    assert follow.context_from == 0 and follow.answered
    assert any("ruxolitinib" in q.source.title.lower() or "drug" in q.text for q in follow.quotes)
    alone = bot.ask("What is Kerastem?")
    with_history = bot.ask("What is Kerastem?", history=history)
    assert with_history.context_from is None
    assert [(q.source.id, q.start) for q in with_history.quotes] == [(q.source.id, q.start) for q in alone.quotes]


def test_a_question_that_names_its_own_topic_stands_alone_despite_a_pronoun(bot):
    history = ["which jak inhibitors exist?", "are they safe for kids?"]
    question = "Did scientists find a gene that causes alopecia universalis?"  # "that" alone would lean on history
    with_history, alone = bot.ask(question, history=history), bot.ask(question)
    assert with_history.context_from is None
    assert [(q.source.id, q.start) for q in with_history.quotes] == [(q.source.id, q.start) for q in alone.quotes]
    # naming a topic does not undo an explicit follow-up: "what about X?" keeps the earlier ask
    assert bot.ask("and what about ruxolitinib?", history=["Is Kerastem safe for children?"]).context_from == 0


def test_quotes_carry_their_focus_sentence_and_old_articles_a_note(bot):
    answer = bot.ask("what percent of patients got their hair back on ruxolitinib")
    for q in answer.quotes:
        assert q.start <= q.focus_start < q.focus_end <= q.end
    if any(q.source.date and q.source.date.startswith("2016") for q in answer.quotes):
        assert any("2016" in n for n in answer.notes)


def test_a_very_long_one_sentence_message_is_answered_not_crashed(bot):
    letter = "my hair has been falling out in patches " * 90  # ~3,600 characters, one sentence, no question mark
    answer = bot.ask(letter)
    assert answer.disclaimer == DISCLAIMER


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("everyone would honestly be happier if I wasn't around anymore", "crisis"),
        ("my girlfriend's lips are going blue and she can barely breathe after the tablets", "emergency"),
        ("thinking of doubling up my tofacitinib to speed things up", "dosing"),
    ],
)
def test_the_shipped_notice_model_catches_what_the_patterns_miss(bot, message, kind):
    from bot.notice_model import KINDS
    from bot.safety import notices_for

    assert bot.notice_model is not None and bot.notice_model.kinds == KINDS
    assert bot.notice_model.vector_coef.shape == (len(KINDS), bot.notice_encoder.encode(['x']).shape[1])
    assert kind not in notices_for(message)  # the patterns alone miss it...
    assert kind in bot.ask(message).notices  # ...the real model, on the real encoder's vector, does not


def test_the_shipped_query_adapter_applies_to_the_bundled_articles(bot):
    # fitted on this corpus (its hash): a change to cleaning or splitting that alters the corpus must refit it
    adapter = bot.ranker.adapter
    assert adapter is not None and adapter.applies_to(bot.index.manifest)
    qvec = bot.encoder.encode(["Will my hair grow back if I stop the pills?"])[0]
    moved = adapter(qvec)
    assert abs(float(np.linalg.norm(moved)) - 1.0) < 1e-4 and float(moved @ qvec) < 0.999


@pytest.mark.parametrize(
    "message",
    [
        "I don't see the point anymore, my hair is gone and I want to end everything.",
        "Honestly I'd rather be dead than bald at 25. Does anything actually work?",
        "No hair, no life. I'm ready to end it. What are JAK inhibitors anyway?",
    ],
)
def test_despair_about_hair_gets_the_crisis_notice_and_no_quotes(bot, message):
    """Beside a crisis notice the general model decides, against its own confidence cut: the bundled articles'
    neighbours' vote holds no crisis message and reads these as questions the articles answer (quotes on
    all three when it decided)."""
    answer = bot.ask(message)
    assert "crisis" in answer.notices and answer.quotes == []


def test_beside_a_crisis_notice_at_most_the_best_quote_is_shown(bot):
    """The general model is sure enough here, but the second quote was a family-history statistic."""
    answer = bot.ask("Everyone would be better off without me. I'm just a bald burden on my family at this point.")
    assert answer.notices[0] == "crisis" and len(answer.quotes) <= 1


def test_beside_a_crisis_notice_a_withheld_answer_says_so_and_names_no_missing_word(bot):
    from bot.answer import CRISIS_WITHHELD, LANGUAGE_NOTICE

    aside = bot.ask("I used to self-harm; does stress cause alopecia areata?")
    assert aside.notices[0] == "crisis" and not aside.answered
    assert aside.message == CRISIS_WITHHELD and aside.missing == []  # not "I could not find this in the articles"
    crisis = bot.ask("kill myself")
    assert crisis.notices[0] == "crisis" and crisis.missing == []  # not "these articles don't mention kill"
    foreign = bot.ask("Je veux mourir")
    assert "language" in foreign.notices and foreign.missing == [] and "112" in LANGUAGE_NOTICE
