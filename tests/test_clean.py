"""Cleaning rules, on fixtures written for the purpose (not the seed articles)."""

from index.clean import clean_body, template_lines

NEWS_PAGE = """\
12/03/2021 09:15 GMT

Vitamin D And Bones: What A New Study Says

The answer is 'complicated'.

Researchers followed 2,000 adults for five years to see whether vitamin D tablets prevent fractures.

Getty Images
A woman holding a glass of milk in a kitchen.

Those who took the tablets had the same number of broken bones as those who did not.

Also on ExampleNews
Latest Stories
-
Local team wins the cup final
3 mins -
Mayor opens new bridge over the river
1 hour -
Storm warning issued for the weekend
2 hours
"""

BLOG_POST = """\
Future Treatments
a photo of pills on a table

a photo of pills on a tableDoctors now think the treatment works best when it is started early in the disease.

Please scan the QR code below to join our mailing list and get a free consultation!

Previous Post
Why sleep matters for healthy skin
Next Post
Could this diet help you live longer?
"""


def test_news_page_keeps_the_prose_and_drops_the_furniture():
    text = clean_body(NEWS_PAGE, title="Vitamin D And Bones: What A New Study Says")
    assert "Researchers followed 2,000 adults for five years" in text
    assert "Those who took the tablets had the same number of broken bones" in text
    assert "The answer is 'complicated'." in text
    for junk in (
        "12/03/2021",
        "Getty Images",
        "glass of milk",
        "Also on",
        "Latest Stories",
        "cup final",
        "Mayor opens",
        "3 mins",
        "Storm warning",
        "What A New Study Says",
    ):
        assert junk not in text, junk


def test_blog_post_drops_navigation_alt_text_and_pleas():
    text = clean_body(BLOG_POST, title="Early treatment")
    assert text == "Doctors now think the treatment works best when it is started early in the disease."


def test_kept_lines_are_verbatim_and_blank_line_separated():
    body = "First paragraph has a full sentence here.\nSecond one is also a proper sentence.\n"
    assert clean_body(body) == "First paragraph has a full sentence here.\n\nSecond one is also a proper sentence."


def test_lines_repeated_across_the_corpus_are_template():
    bodies = [
        "Hair Clinic Newsletter\nA real sentence about minoxidil and how it is used daily.",
        "Hair Clinic Newsletter\nAnother real sentence about finasteride and its side effects.",
    ]
    template = template_lines(bodies)
    assert "hair clinic newsletter" in template
    assert "Newsletter" not in clean_body(bodies[0], template=template)


def test_duplicate_lines_and_title_repeats_are_dropped():
    question = "Can diet cure hair loss, and what should I eat?"
    body = f"{question}\n\n{question}\n\nNo diet has been shown to cure hair loss in any trial so far."
    text = clean_body(body, title="Can diet cure hair loss, and what should I eat?")
    assert text == "No diet has been shown to cure hair loss in any trial so far."


def test_long_unpunctuated_content_is_kept_and_empty_input_is_fine():
    long_line = " ".join(["word"] * 25)
    assert clean_body(long_line) == long_line
    assert clean_body("") == ""
    assert clean_body("\n\n   \n") == ""


def test_long_paragraphs_survive_call_to_action_words_and_corpus_repeats():
    long_prose = ("Treatment depends on the cause. " * 12) + "If you have questions, contact us or your doctor."
    assert clean_body(long_prose) == long_prose
    repeated = "Genetic testing may be available for this condition and a specialist can explain what it means " * 2
    bodies = [repeated, repeated]
    assert clean_body(repeated, template=template_lines(bodies)) == repeated.strip()


def test_a_one_line_article_is_kept_whatever_its_shape():
    assert clean_body("Supportive care only", title="What is the treatment?") == "Supportive care only"
