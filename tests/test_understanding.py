"""Unit tests, on small fixtures, for what the bot reads from text: answer types, Q&A links,
the questions inside a long message, follow-ups, and which notices a message calls for."""

from __future__ import annotations

import numpy as np
import pytest

from bot.questions import asked, context_for, leans_on_history, questions_in
from bot.safety import notices_for
from bot.suites import HAIR_FIT_SETS
from index.tags import AGENT, NUMBER, PLACE, TIME, answer_tags, question_links, question_type


@pytest.mark.parametrize(
    ("sentence", "has", "lacks"),
    [
        ("Patients took 20 mg twice a day.", NUMBER, PLACE),
        ("75% of patients regrew hair.", NUMBER, 0),
        ("The trial began in September 2016.", TIME, 0),
        ("It is already available in Europe.", PLACE, 0),
        ("Researchers at Columbia University led the study.", AGENT, 0),
        ("hair can fall out again.", 0, NUMBER | TIME | PLACE | AGENT),
    ],
)
def test_answer_tags(sentence, has, lacks):
    tags = answer_tags(sentence)
    assert tags & has == has
    assert tags & lacks == 0


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("how many tablets did they take", NUMBER),
        ("What percentage got their hair back?", NUMBER),
        ("when will it be available", TIME),
        ("how long until it works", TIME),
        ("where can I get kerastem", PLACE),
        ("which university did the study", AGENT),
        ("is it safe", 0),
    ],
)
def test_question_type(question, kind):
    assert question_type(question) == kind


def test_question_links_point_answers_at_the_question_before_them():
    texts = ["Dear doctor, I lost my hair.", "Will it grow back?", "Yes, in most cases.", "See a doctor.",
             "Unrelated story.", "Is it contagious?", "No."]
    paragraphs = [0, 0, 1, 1, 5, 6, 7]
    asks = [True, True, False, False, False, True, False]
    links = question_links(paragraphs, asks, texts)
    assert links[2] == links[3] == 1  # the answer paragraph follows "Will it grow back?"
    assert links[4] == -1  # too far from any question
    assert links[6] == 5
    assert links[0] == links[1] == -1  # questions answer nothing


def test_a_short_message_is_its_own_question():
    question = "Will my hair grow back if I stop the pills?"
    assert questions_in(question) == [question]


def test_the_questions_inside_a_long_letter_are_found_with_their_lead_in():
    letter = (
        "I am 34 and I have had alopecia areata since I was a teenager. My mother had it too and I always felt "
        "ashamed going to school. I read about a drug for bone marrow disorders in the news last week. "
        "Is it available in the UK? And how long did the patients take it before their hair came back?"
    )
    found = questions_in(letter)
    assert len(found) == 3
    assert found[0].endswith("Is it available in the UK?") and "news" in found[0]  # "it" needs the sentence before
    assert "how long did the patients take it" in found[1]
    assert found[2] == letter  # the whole letter last: its story says what a vague ask is about


def test_only_the_asking_sentences_of_a_letter_can_name_what_the_articles_lack():
    letter = (
        "My dermatologist mentioned ruxolitinib might come up as an option down the line. I'm a planner and I "
        "like knowing what I'm signing up for. In the study everyone talks about, how long were people actually "
        "on the pills for? And did they really get most of their hair back?"
    )
    assert "planner" not in asked(letter)  # the story tells; it does not ask
    assert asked(letter).startswith("In the study") and asked(letter).endswith("hair back?")
    assert asked("Is minoxidil safe when I am pregnant?") == "Is minoxidil safe when I am pregnant?"


def test_a_long_message_without_a_question_is_searched_whole():
    story = "I lost my hair last year. " * 12
    assert questions_in(story) == [story]


@pytest.mark.parametrize(
    "question",
    ["is it safe for kids?", "and if I stop?", "What about Europe", "how long?", "did somebody prove that wrong?",
     "Should I?", "can I?", "Am I?"],  # the pronoun I is capitalised but names nothing
)
def test_follow_ups_lean_on_history(question):
    assert leans_on_history(question)


@pytest.mark.parametrize(
    "question",
    [
        "What is ruxolitinib used for?",
        "Is alopecia areata hereditary?",
        "Is ruxolitinib safe for kids too?",
        "Which university found that stem cells could restore hair growth?",  # "that" opens a clause here
    ],
)
def test_self_contained_questions_do_not(question):
    assert not leans_on_history(question)
    assert context_for(question, ["What is Kerastem?"]) is None


def test_context_is_the_latest_earlier_question_that_stands_alone():
    history = ["Does ruxolitinib make hair grow back?", "is it safe for kids?"]
    assert context_for("and if I stop?", history) == 0
    assert context_for("and if I stop?", []) is None


def test_a_statement_adds_to_the_topic_but_does_not_set_it():
    history = ["can ruxolitinib help with hair loss?", "im a guy with just regular male pattern baldness tho"]
    assert context_for("would it work for me then?", history) == 0


@pytest.mark.parametrize("question", ["ok so what should i put on the spots instead?", "okay and for kids?"])
def test_follow_up_markers_after_an_interjection(question):
    assert leans_on_history(question)


@pytest.mark.parametrize(
    ("message", "kinds"),
    [
        ("I want to end my life, I can't cope with losing my hair", {"crisis"}),
        ("Chest pain and can't breathe since taking the tablets", {"emergency"}),
        ("my throat is swelling after the first tablet", {"emergency"}),
        ("How much ruxolitinib should I take?", {"dosing"}),
        ("can I buy ruxolitinib online", {"dosing"}),
        ("I took all my pills at once and feel dizzy", {"crisis"}),
        ("honestly everyone would be better off without me", {"crisis"}),
        ("I can't live like this any more", {"crisis"}),
        ("my neck is stiff and I have a high fever since the tablets", {"emergency"}),
        ("can I just stop my baricitinib?", {"dosing"}),
        ("is there a site where I can order JAK pills", {"dosing"}),
        ("what dose did the trial patients take?", set()),
        ("I want to end it, the treatment is not working", set()),
        ("what's the point of even going on with the injections?", set()),
        ("should I cut my hair short", set()),
        ("what causes alopecia areata", set()),
        ("how many patients were in the trial", set()),
        ("I'm done. Nothing works and I can't face anyone", {"crisis"}),
        ("honestly i'm done with everything", {"crisis"}),
        ("I feel faint and my lips are swelling", {"emergency"}),
        ("I'm done with chemo, will my hair grow back?", set()),  # done with a treatment, not with life
        ("I see faint fuzz growing back on my patches", set()),  # faint, the adjective
    ],
)
def test_notices(message, kinds):
    assert set(notices_for(message)) >= kinds
    if not kinds:
        assert notices_for(message) == []


def test_learned_notices_add_to_the_patterns():
    from bot.notice_model import NoticeModel

    model = NoticeModel(
        ("crisis", "emergency", "dosing"),
        np.array([[4.0, 0.0], [0.0, 4.0], [0.0, 0.0]], np.float32),
        np.zeros(3, np.float32),
        {"around": 0, "chest": 1},
        np.ones(2, np.float32),
        np.array([[4.0, 0.0], [0.0, 4.0], [0.0, 0.0]], np.float32),
        np.zeros(3, np.float32),
        np.array([0.9, 0.9, 0.9], np.float32),
        "fake",
        "",
    )
    message = "everyone would be happier if I just wasn't around"  # no pattern matches it
    assert notices_for(message) == []
    learned = model.kinds_for(np.array([1.0, 0.0], np.float32), message)
    assert learned == ["crisis"]  # both halves agree: mean of sigmoid(4) and sigmoid(4) > 0.9
    assert model.kinds_for(np.array([1.0, 0.0], np.float32), "no telling word") == []  # one half alone: 0.74
    assert notices_for(message, learned) == ["crisis"]
    assert notices_for("chest pain since this morning", learned) == ["crisis", "emergency"]  # most urgent first


@pytest.mark.parametrize(
    "messages",
    [
        ["I won't be around much longer", "Won't   be AROUND, around; around!", "", "hair loss and hair", "x y z"],
        ["Is 5mg of minoxidil too much?", "ruxolitinib's side-effects: hair-loss?"],
    ],
)
def test_word_features_are_scikit_learns_tfidf(messages):
    from sklearn.feature_extraction.text import TfidfVectorizer

    from bot.notice_model import word_features

    fitted = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(
        ["I won't be around", "hair loss is around", "5mg of minoxidil", "side effects of ruxolitinib", "be around"]
    )
    vocabulary = {t: i for i, t in enumerate(fitted.get_feature_names_out())}
    ours = word_features(messages, vocabulary, fitted.idf_.astype(np.float32))
    np.testing.assert_allclose(ours, fitted.transform(messages).toarray(), atol=1e-6)


def test_the_absent_concept_rule_reads_what_is_asked_and_yields_to_a_sure_cross_encoder():
    from bot.answerable import ConceptChecker, Concepts
    from bot.decide import absent_words
    from index.vocab import Vocab

    vocab = Vocab({"hair": 0}, np.ones((1, 4), np.float32) / 2, {"pregnant": 4.3, "planner": 3.5, "hair": 5.5})
    checker = ConceptChecker(vocab, salient_zipf=5.0, covered=0.6)
    concepts = Concepts(["planner", "pregnant"], np.array([0.2, 0.3], np.float32), np.zeros(2, np.float32),
                        np.array([3.5, 4.3], np.float32))
    rule = {"rarer_than": 4.5, "cosine_below": 0.5, "ce_below": 2.0}
    letter = ("I have been losing hair since my second child was born and it is getting worse every month. My "
              "sister says it is only stress and that it will pass, but I am not so sure about that. "
              "I'm a planner and like to know what is ahead. Can I use the foam while pregnant?")
    assert absent_words(checker, concepts, rule, letter, ce=-3.0) == ["pregnant"]  # "planner" is story
    assert absent_words(checker, concepts, rule, letter, ce=5.0) == []  # the best window answers: no veto
    assert absent_words(checker, concepts, rule, letter, ce=2.0) == []  # at the cut, the cross-encoder wins
    older = {k: v for k, v in rule.items() if k != "ce_below"}  # a ranker.json fitted before the gate: no veto
    assert absent_words(checker, concepts, older, letter, ce=5.0) == ["pregnant"]
    assert absent_words(checker, concepts, None, letter, ce=-3.0) == []


def test_a_word_the_question_is_not_about_neither_refuses_it_nor_is_named():
    from bot.answerable import ConceptChecker, Concepts
    from bot.decide import absent_words
    from index.vocab import Vocab

    vocab = Vocab({"hair": 0}, np.ones((1, 4), np.float32) / 2, {"actualy": 2.2, "pregnant": 4.3, "hair": 5.5})
    checker = ConceptChecker(vocab, salient_zipf=5.0, covered=0.6, central_above=0.3)
    rule = {"rarer_than": 4.5, "cosine_below": 0.5, "ce_below": 2.0, "central_above": 0.3}

    def concepts(words: list[str], central: list[float]) -> Concepts:
        n = len(words)
        return Concepts(words, np.full(n, 0.2, np.float32), np.zeros(n, np.float32),
                        np.array([vocab.frequency(w) for w in words], np.float32), np.array(central, np.float32))

    both = concepts(["actualy", "pregnant"], [0.05, 0.55])  # a typo'd aside and what is asked about
    assert absent_words(checker, both, rule, "does it actualy work when pregnant?", ce=-3.0) == ["pregnant"]
    assert checker.missing(both) == ["pregnant"]
    aside = concepts(["actualy"], [0.05])
    assert absent_words(checker, aside, rule, "does it actualy work?", ce=-3.0) == []
    assert checker.missing(aside) == []  # the abstention then names nothing rather than "actualy"
    older = {k: v for k, v in rule.items() if k != "central_above"}  # a ranker.json fitted before the cut
    assert absent_words(checker, aside, older, "does it actualy work?", ce=-3.0) == ["actualy"]
    # a rule fitted without the cut may refuse on the aside, but the refusal names only what is asked about
    assert checker.named(aside, ["actualy"]) == []
    assert checker.named(both, ["actualy", "pregnant"]) == ["pregnant"]


def _stress_checker() -> tuple:
    """A checker over articles that use "stress" and never come near "pregnancy"; the concepts of a question about
    stress alone (the articles cover it, the best quotes do not) and of one about both."""
    from bot.answerable import ConceptChecker, Concepts
    from index.vocab import Vocab

    vocab = Vocab({"stress": 0}, np.ones((1, 4), np.float32) / 2, {"stress": 4.0, "pregnancy": 4.2})
    theirs = Concepts(["stress"], np.ones(1, np.float32), np.array([0.3], np.float32), np.array([4.0], np.float32))
    both = Concepts(["pregnancy", "stress"], np.array([0.2, 1.0], np.float32), np.array([0.1, 0.3], np.float32),
                    np.array([4.2, 4.0], np.float32))
    return ConceptChecker(vocab, salient_zipf=5.0, covered=0.6), theirs, both


def test_a_word_the_articles_use_is_never_said_to_be_unmentioned():
    """"These articles don't mention stress" was said of articles that speak of stress, when only the passages that
    would answer lacked it: for such a word the refusal now says only that nothing in them answers this about it."""
    from bot.decide import not_found_message

    checker, theirs, absent = _stress_checker()
    assert checker.missing(theirs) == ["stress"] and checker.mentioned(theirs, ["stress"])
    said = not_found_message(["stress"], mentioned=True)
    assert said.startswith("Nothing in these articles answers this about stress,") and "mention" not in said
    assert checker.missing(absent) == ["pregnancy"] and not checker.mentioned(absent, ["pregnancy"])
    assert not_found_message(["pregnancy"]).startswith("These articles don't mention pregnancy,")
    assert "answers this about stress or sleep," in not_found_message(["stress", "sleep"], mentioned=True)
    assert not checker.mentioned(theirs, [])  # nothing named: the plain "could not find" message
    assert checker.mentioned(theirs, ["stress"]) and not checker.mentioned(absent, ["pregnancy", "stress"])
    assert checker.mentioned(absent, ["stress"])  # each word is read on its own: "stress" is theirs


def test_every_refusal_path_says_whether_the_articles_speak_of_what_it_names():
    from bot.answerable import Concepts
    from bot.decide import _refused

    checker, theirs, both = _stress_checker()
    assert _refused(checker, both, 0.1).missing == ["pregnancy"] and not _refused(checker, both, 0.1).mentioned
    named = _refused(checker, both, 0.1, ["stress"])  # the absent rule's path names its own words
    assert named.missing == ["stress"] and named.mentioned and not named.answerable
    assert _refused(checker, theirs, 0.1).mentioned
    assert not _refused(checker, Concepts([], np.ones(0, np.float32), np.ones(0, np.float32)), 0.1).mentioned


def test_a_word_is_named_only_if_both_fitted_cuts_call_it_central():
    from bot.decide import concept_checker
    from bot.ranker import Linear, Ranker
    from index.vocab import Vocab

    vocab = Vocab({"hair": 0}, np.ones((1, 4), np.float32) / 2, {"hair": 5.5})
    model = Linear.from_dict({"features": ["ce"], "mean": [0.0], "scale": [1.0], "coef": [1.0], "intercept": 0.0})
    answer = {"salient_zipf": 5.5, "covered": 0.6, "central": 0.3, "absent": {"central_above": -1.0}}
    ranker = Ranker(model, model, 6, 0.0, answer=answer)
    assert concept_checker(ranker, vocab).central_above == 0.3  # the rule's cut is off: the model's names
    ranker = Ranker(model, model, 6, 0.0, answer={**answer, "absent": {"central_above": 0.4}})
    assert concept_checker(ranker, vocab).central_above == 0.4  # the stricter of the two


@pytest.mark.parametrize(
    ("message", "nothing"),
    [("ok", True), ("thanks!", True), ("1 2 3", True), ("Thank you so much!", True), ("test", True),
     ("ok but does it work", False), ("hair loss after pregnancy", False), ("why?", False), ("what is it", False),
     ("in women", False), ("for how long", False), ("more please", False), ("for men too", False)],
)
def test_a_short_message_that_neither_asks_nor_names_anything_is_not_answered(message, nothing):
    from bot.decide import says_nothing

    assert says_nothing(message) is nothing


def test_the_neighbours_vote_decides_beside_the_evidence_only_when_it_is_there():
    """On the bundled articles the model fitted beside the vote decides (its threshold, its absent rule); without a
    vote (another folder, or no notice encoder) the general model does. The vote is the similarity-weighted share
    of the nearest fit messages that the articles answer."""
    from bot.answerable import ANSWER_FEATURES, ConceptChecker
    from bot.asked import ASKED_FEATURES, AskedModel
    from bot.decide import Ranked, decide
    from bot.ranker import Linear, Ranker
    from index.vocab import Vocab
    from tests.test_ranking import DIM, FakeEncoder

    def linear(features: list[str], coef: list[float], intercept: float = 0.0) -> Linear:
        n = len(features)
        return Linear.from_dict({"features": features, "mean": [0.0] * n, "scale": [1.0] * n, "coef": coef,
                                 "intercept": intercept})

    messages = np.eye(DIM, dtype=np.float32)[:3]  # an answerable question, and two the articles leave open
    vote = AskedModel(messages, np.array([True, False, False]), 1, "digest")
    assert vote.score(messages[0] * 3) == 1.0 and vote.score(messages[1]) == 0.0  # its nearest message decides
    assert AskedModel(messages, np.array([True, False, False]), 3, "digest").score(messages[0] + messages[1]) == 0.5
    general = linear(ANSWER_FEATURES, [1.0, 0, 0, 0, 0, 0])  # answers when the cross-encoder's logit is positive
    own = linear(ASKED_FEATURES, [1.0, 0, 0, 0, 0, 0, 4.0], -3.0)  # ...and the neighbours say it is answerable
    answer = {"model": general, "threshold": 0.5, "salient_zipf": 5.5, "covered": 0.6, "central": -1.0,
              "asked": {"classifier": vote, "model": own, "threshold": 0.5, "absent": None}}
    ranker = Ranker(general, general, 6, 0.0, answer=answer)
    vocab = Vocab({"hair": 0}, np.ones((1, DIM), np.float32) / np.sqrt(DIM), {"hair": 5.5})
    checker = ConceptChecker(vocab, 5.5, 0.6)
    ranked = [Ranked([], 0.9, 1.0, 0.0, "hair")]
    assert decide(ranker, checker, FakeEncoder(), "hair?", ranked).answerable  # no vote: the general model
    assert not decide(ranker, checker, FakeEncoder(), "hair?", ranked, asked_score=vote.score(messages[1])).answerable
    assert decide(ranker, checker, FakeEncoder(), "hair?", ranked, asked_score=vote.score(messages[0])).answerable
    # a follow-up read with its conversation is held to its own fitted threshold (p = 1 / (1 + e^2) = 0.12 here)
    answer["asked"]["follow_up"] = {"threshold": 0.1}
    near = vote.score(messages[1])
    assert decide(ranker, checker, FakeEncoder(), "hair?", ranked, asked_score=near, follow_up=True).answerable
    assert not decide(ranker, checker, FakeEncoder(), "hair?", ranked, asked_score=near).answerable


def test_the_vote_is_stacked_on_votes_of_other_writers_messages_never_a_near_copy():
    """Fitting (`bot.fit_asked`): each training row's vote comes from the other sets' messages, never from a near
    copy of it, and the vote is kept only when, cross-validated by set, it refuses more at the same answerable
    share."""
    from bot.asked import unit
    from bot.fit_asked import fit_asked, near_copies, out_of_set

    rng = np.random.default_rng(0)
    n = 160
    y = rng.random(n) < 0.6
    v = unit(rng.normal(size=(n, 8)) + np.outer(np.where(y, 1.0, -1.0), np.eye(8)[0]) * 2)  # the meaning separates
    x = rng.normal(size=(n, 6))  # the general evidence is noise here
    sets = np.array(["a", "b", "c", "d"])[np.arange(n) % 4]
    none = np.zeros((n, n), bool)
    votes = out_of_set(v, y, sets, np.ones(n, bool), 5, none)
    assert np.mean((votes > 0.5) == y) > 0.9
    fitted = fit_asked(x, v, y, sets, 0.05, none)
    assert fitted is not None and fitted["model"]["features"][-1] == "asked" and fitted["k"] in (3, 5, 7, 10)
    assert fitted["cross_validated"]["leave one hair set out, non-answerable refused"]["with the vote"] > 0.5
    for seed in range(5):  # a meaningless vector earns nothing
        assert fit_asked(x, np.random.default_rng(seed + 1).normal(size=(n, 8)), y, sets, 0.05, none) is None

    copies = near_copies(["is it sold in spain", "Is it sold in Spain?", "what does the treatment cost"])
    assert copies[0, 1] and copies[1, 0] and not copies[0, 2]
    twins = unit(np.array([[1.0, 0.0], [1.0, 0.01], [0.6, 0.8]]))  # messages 0 and 1 near-copy each other
    label, where, rows = np.array([True, True, False]), np.array(["a", "b", "c"]), np.ones(3, bool)
    assert out_of_set(twins, label, where, rows, 1, np.zeros((3, 3), bool))[1] == 1.0  # its twin's vote
    assert out_of_set(twins, label, where, rows, 1, copies)[1] == 0.0  # the twin aside, the next message votes
    same = np.array(["a", "a", "c"])  # the twins written by one writer: neither votes for the other
    assert out_of_set(twins, label, same, rows, 1, np.zeros((3, 3), bool))[1] == 0.0


def test_the_quotes_coverage_is_read_over_the_words_the_question_is_about():
    from bot.answerable import ANSWER_FEATURES, Concepts, answer_features

    concepts = Concepts(["actualy", "pregnant"], np.array([0.2, 1.0], np.float32), np.array([0.1, 0.9], np.float32),
                        np.array([2.2, 4.3], np.float32), np.array([0.05, 0.55], np.float32))
    local = [ANSWER_FEATURES.index("local_min"), ANSWER_FEATURES.index("local_mean")]
    np.testing.assert_allclose(answer_features(1.0, concepts, 0.0, central_above=0.3)[local], [0.9, 0.9])
    np.testing.assert_allclose(answer_features(1.0, concepts, 0.0)[local], [0.1, 0.5])  # every word, as before
    none = answer_features(1.0, concepts, 0.0, central_above=0.9)  # no word that central: nothing unspoken
    np.testing.assert_allclose(none[local], [1.0, 1.0])


def test_centrality_is_read_against_what_is_asked():
    from bot.answerable import ConceptChecker
    from index.vocab import Vocab
    from tests.test_ranking import DIM, FakeEncoder

    zipf = {"pregnant": 4.3, "actually": 5.4, "hair": 5.5}
    vocab = Vocab({"hair": 0}, np.ones((1, DIM), np.float32) / np.sqrt(DIM), zipf)
    checker = ConceptChecker(vocab, salient_zipf=5.45, covered=0.6)
    got = checker.check("actually pregnant hair", FakeEncoder(), about="safe when pregnant?")
    assert got.words == ["actually", "pregnant"]
    assert got.central[1] > 0.5 > got.central[0]  # "pregnant" is in what is asked; "actually" is not


def test_the_cross_encoder_floor_refuses_at_most_its_share_of_answerable_hair_questions():
    from types import SimpleNamespace

    from bot.decide import far_off_topic
    from bot.fit_answer import FLOOR_REFUSED, AnswerRow, fit_ce_floor

    def row(answerable: bool, ce: float, hair: bool = True) -> AnswerRow:
        ranked = [SimpleNamespace(ce=ce - 1.0), SimpleNamespace(ce=ce)]
        return AnswerRow(answerable, "q", ranked, None, "hair" if hair else "covid-qa", "q")

    answerable = [row(True, c) for c in np.linspace(-11.0, 8.0, 100)]
    others = [row(True, -11.1, hair=False), row(False, -11.1), row(False, -11.05), row(False, 3.0)]
    floor = fit_ce_floor(answerable + others)
    refused = [far_off_topic(floor, r.ranked[1].ce) for r in answerable]
    assert sum(refused) == int(FLOOR_REFUSED * 100)  # its share exactly: the best logit of each question is read
    assert floor["on_fit_part"]["not answerable"] == round(2 / 3, 4)
    assert far_off_topic(floor, -11.05) and not far_off_topic(floor, 3.0)
    assert not far_off_topic(None, -12.0)  # a ranker.json fitted before the floor: no floor


@pytest.mark.parametrize("name", [*HAIR_FIT_SETS, "safety", "hair-conversations", "medquad", "medquad-fit"])
def test_no_fit_question_is_a_near_copy_of_an_evaluation_message(name: str):
    """hair-fit-c and hair-fit-d were checked when they were added (22 and 13 questions sharing half their words
    with an evaluated one were dropped), `safety` when it became training data; the older sets' near copies
    (hair-seed 10, hair-fit 19: independent phrasings of the same common asks, "what is the capital of australia"),
    the later sets' (hair-fit-f 5, hair-fit-g 11, hair-fit-h 16, hair-fit-i 9, hair-fit-j 7, hair-fit-k 8,
    hair-fit-l 6, hair-fit-m 9, hair-fit-o 10, hair-fit-p 19) and the
    conversations' fit-half ones are set aside by `set_aside_near_copies`. Fails if any reaches a fit."""
    from bot.suites import SUITES, evaluated_messages, near_copy, words

    evaluated = evaluated_messages()
    assert len(evaluated) > 300
    for item in SUITES[name]().part("fit"):
        assert not near_copy(words(item.get("question", "")), evaluated), item


def test_near_copies_are_set_aside_not_lost():
    """The rule takes "What's the capital of Australia?" out of hair-fit's fit part (hair-heldout asks it too),
    and the item stays in the file, in neither part."""
    from bot.suites import SUITES

    suite = SUITES["hair-fit"]()
    aside = [i for i in suite.items if i["part"] == "near copy"]
    assert any("capital of Australia" in i["question"] for i in aside)
    assert not any(i in suite.part("all") for i in aside)
    names = ("hair-seed", "hair-fit", "hair-fit-f", "hair-fit-g", "hair-fit-h", "hair-fit-i", "hair-fit-j",
             "hair-fit-k", "hair-fit-l", "hair-fit-m", "hair-fit-o", "hair-fit-p", "hair-conversations")
    counts = {n: sum(i["part"] == "near copy" for i in SUITES[n]().items) for n in names}
    assert counts == {"hair-seed": 10, "hair-fit": 19, "hair-fit-f": 5, "hair-fit-g": 11, "hair-fit-h": 16,
                      "hair-fit-i": 9, "hair-fit-j": 7, "hair-fit-k": 8, "hair-fit-l": 6, "hair-fit-m": 9,
                      "hair-fit-o": 10, "hair-fit-p": 19, "hair-conversations": 12}


def test_no_notice_training_message_is_a_near_copy_of_an_evaluation_message():
    """The notice model is scored on `safety-b`, hair-heldout(-e) and the conversations' test part: a training
    message sharing half its words with one of them (a template copy, "where can I buy X online") would score
    itself. Every training message counts: the sets written for it and the suites' fit parts."""
    from bot.fit_notices import training_messages
    from bot.suites import evaluated_messages, near_copy, words

    evaluated = evaluated_messages()
    for text, _ in training_messages():
        assert not near_copy(words(text), evaluated), text


def test_the_follow_up_threshold_makes_the_fewest_errors_of_both_kinds():
    """An answerable follow-up refused and a near-miss follow-up answered count alike; ties: fewest refused."""
    from bot.fit_follow_ups import pick

    rows = lambda *r: {t: {"answerable refused": a, "near misses refused": n} for t, a, n in r}  # noqa: E731
    # of 20 answerable and 10 near misses: errors 0 + 9, 1 + 5, 2 + 2, 4 + 1
    assert pick(rows((0.0, 0.0, 0.1), (0.1, 0.05, 0.5), (0.2, 0.1, 0.8), (0.3, 0.2, 0.9)), 20, 10) == 0.2
    # a tie in errors (1 + 4 and 2 + 3): the fewer answerable refused; equal rows: the higher threshold
    assert pick(rows((0.1, 0.05, 0.6), (0.2, 0.1, 0.7), (0.3, 0.1, 0.7)), 20, 10) == 0.1
    assert pick(rows((0.1, 0.1, 0.7), (0.2, 0.1, 0.7)), 20, 10) == 0.2
    # the tables of the file shipped at stop 37 (0.15) and of the refit with sets Q and R (0.1, not 0.0)
    shipped = rows((0.0, 0.0, 0.0588), (0.1, 0.0364, 0.4706), (0.15, 0.0364, 0.5294), (0.2, 0.0545, 0.5294),
                   (0.4438, 0.0727, 0.5294))
    assert pick(shipped, 55, 17) == 0.15
    refit = rows((0.0, 0.0, 0.0588), (0.05, 0.0545, 0.2941), (0.1, 0.0545, 0.4706), (0.15, 0.0727, 0.5294),
                 (0.4797, 0.1273, 0.6471))
    assert pick(refit, 55, 17) == 0.1


def test_a_follow_up_carries_only_the_earlier_words_the_articles_use():
    from types import SimpleNamespace

    from bot.answerable import ConceptChecker
    from bot.engine import Bot
    from index.vocab import Vocab

    vocab = Vocab({"ruxolitinib": 0, "alopecia": 1, "kerastem": 2}, np.eye(3, 4, dtype=np.float32),
                  {"ruxolitinib": 1.5, "alopecia": 2.5, "gonna": 3.9, "heard": 4.9})
    checker = ConceptChecker(vocab, salient_zipf=5.5, covered=0.6)
    bot = SimpleNamespace(checker=checker, index=SimpleNamespace(vocab=vocab))
    earlier = ["i heard ruxolitinib is gonna fix alopecia, evry patch?"]  # slang and a typo: no topic of the articles
    assert Bot.with_topic(bot, earlier, "is it safe for kids?") == "is it safe for kids? (ruxolitinib alopecia)"
    assert Bot.with_topic(bot, ["is it gonna work?"], "and for kids?") == "and for kids? (is it gonna work?)"
    assert Bot.with_topic(bot, ["tell me about kerastems trial"], "who runs it?") == "who runs it? (kerastems)"  # stem


def test_the_naming_fit_counts_a_word_of_the_writers_missing_concept_by_its_first_five_letters():
    from bot.fit_names import gave

    assert gave(["pregnant"], ["pregnancy"]) and gave(["side effects"], ["side effects", "safety"])
    assert gave(["NHS"], ["the NHS"]) and not gave(["weight"], ["side effects"]) and not gave([], ["price"])
