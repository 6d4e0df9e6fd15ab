"""Sentence and chunk offsets always map back to the exact text (property-tested)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.chunking import make_chunks, split_sentences
from index.clean import clean_body

TEXTS = st.one_of(
    st.text(max_size=2000),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=500),
    st.lists(
        st.sampled_from(
            [
                "Dr. Smith said so. ",
                "It works! ",
                "Why? ",
                "e.g. this ",
                "\n\n",
                "😀 ",
                "مرحبا. ",
                "\u202e",
                "\x00",
                "  ",
                "No punctuation here",
            ]
        ),
        max_size=80,
    ).map("".join),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(TEXTS)
def test_sentence_offsets_map_back_exactly(text):
    spans = split_sentences(text)
    previous_end = 0
    for span in spans:
        piece = text[span.start : span.end]
        assert piece == piece.strip() and piece
        assert span.start >= previous_end
        previous_end = span.end
    chunks = make_chunks(text, spans)
    covered = [i for c in chunks for i in range(c.first, c.last)]
    assert covered == list(range(len(spans)))


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(TEXTS, st.text(max_size=50))
def test_cleaning_never_raises_and_output_is_made_of_input_lines(body, title):
    text = clean_body(body, title)
    for line in text.split("\n\n"):
        if line:
            assert any(line in original or original.endswith(line) for original in body.splitlines())


def test_no_text_is_lost_between_sentences():
    text = "First sentence. Second one!\n\nA new paragraph: with a list - and more"
    spans = split_sentences(text)
    joined = "".join(text[s.start : s.end] for s in spans)
    assert joined.replace(" ", "") == text.replace(" ", "").replace("\n", "")


def test_huge_single_line_is_split_and_chunked():
    text = "This is a sentence about hair. " * 4000
    spans = split_sentences(text)
    assert len(spans) == 4000
    chunks = make_chunks(text, spans, max_words=110)
    assert all(c.last - c.first <= 6 for c in chunks)


def test_one_100kb_line_without_punctuation_and_mixed_scripts():
    line = " ".join(["hair", "شعر", "😀", "\u202ecapillus"] * 6500)[:100_000]
    text = clean_body(line)
    assert text == line.strip()
    spans = split_sentences(text)
    assert spans and all(text[s.start : s.end].strip() == text[s.start : s.end] for s in spans)
    assert "".join(text[s.start : s.end] for s in spans).replace(" ", "") == text.replace(" ", "")


def test_sentence_facts_mark_paragraphs_words_and_questions():
    from index.chunking import sentence_facts

    text = "Is this normal? My hair falls out.\n\nYes, it is common. It stops by itself.\n\nDoes it? Not always."
    spans = split_sentences(text)
    facts = sentence_facts(text, spans)
    assert [f[0] for f in facts] == [0, 0, 1, 1, 2, 2]
    assert [f[1] for f in facts] == [3, 4, 4, 4, 2, 2]
    # a question, and the whole letter ending in one, "ask"; the answer paragraph does not
    assert [f[2] for f in facts] == [True, False, False, False, True, False]


def test_an_authors_paragraph_closing_on_a_rhetorical_question_still_tells():
    from index.chunking import sentence_facts

    text = (
        "Doctor, I am 25. I lose hair when I wash it. Is it alopecia?\n\n"
        "Two trials are recruiting patients now. Are you still worried about treatment?"
    )
    facts = sentence_facts(text, split_sentences(text))
    # the reader's letter asks throughout; the author's statement stays quotable, the question itself does not
    assert [f[2] for f in facts] == [True, True, True, False, True]
