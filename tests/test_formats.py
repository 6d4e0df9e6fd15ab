"""Reading articles of every supported kind, on fixtures written for the purpose."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.articles import read_articles
from index.build import BuildReport, prepare
from index.clean import page_at

FIXTURES = Path(__file__).parent / "fixtures"


def make_pdf(path: Path) -> None:
    """A real two-page PDF, drawn with reportlab."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setTitle("Finasteride patient leaflet")
    pdf.setAuthor("Example Pharmacy")
    pages = [
        [
            "Finasteride is a tablet that some men take once a day for male pattern hair loss.",
            "It works by lowering the level of a hormone that shrinks hair follicles.",
        ],
        [
            "If you stop taking finasteride, the hair you gained is usually lost within twelve months.",
            "Women who are pregnant must not handle crushed or broken tablets.",
        ],
    ]
    for lines in pages:
        y = 800
        for line in lines:
            pdf.drawString(40, y, line)
            y -= 20
        pdf.showPage()
    pdf.save()


def test_html_keeps_the_body_drops_furniture_and_fills_the_citation():
    report = read_articles(FIXTURES / "clinic-page.html")
    (article,) = report.articles
    assert article.title == "Minoxidil for thinning hair: what to expect"
    assert article.publisher == "Riverside Skin Clinic"
    assert article.date == "2023-04-18"
    assert article.url == "https://clinic.example/leaflets/minoxidil"
    (prepared,) = prepare(report.articles, BuildReport())
    text = prepared.doc.text
    assert "usually lost again within a few months" in text
    for junk in ("cookies", "Contact us", "Services", "celebrity", "spa weekend", "Privacy policy", "All rights"):
        assert junk not in text, junk


def test_pdf_pages_are_kept_and_quotes_know_their_page(tmp_path):
    make_pdf(tmp_path / "leaflet.pdf")
    report = read_articles(tmp_path)
    (article,) = report.articles
    assert article.title == "Finasteride patient leaflet" and article.publisher == "Example Pharmacy"
    (prepared,) = prepare(report.articles, BuildReport())
    text = prepared.doc.text
    sentences = [text[s:e] for s, e in prepared.sentences]
    assert not any("[page" in s for s in sentences)  # markers place quotes; they are never quoted
    first = text.index("Finasteride is a tablet")
    second = text.index("If you stop taking finasteride")
    assert page_at(text, first) == 1 and page_at(text, second) == 2


def test_jsonl_reads_good_lines_and_names_the_bad_ones():
    report = read_articles(FIXTURES / "leaflets.jsonl")
    assert [a.id for a in report.articles] == ["leaflet-1", "leaflet-3"]
    first = report.articles[0]
    assert first.publisher == "Example Health Service" and first.url == "https://health.example/te"
    assert first.date is None
    skipped = dict(report.skipped)
    assert set(skipped) == {f"{FIXTURES / 'leaflets.jsonl'}:{n}" for n in (2, 4, 5)}
    assert "title" in skipped[f"{FIXTURES / 'leaflets.jsonl'}:4"]


def test_text_and_markdown_front_matter_and_first_line_title(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.md").write_text(
        "---\ntitle: Shedding after COVID\ndate: 2021-05-01\n---\n"
        "Many people notice hair shedding two to three months after a fever.\n"
    )
    (tmp_path / "b.txt").write_text("Scalp care basics\n\nWashing your hair often does not cause it to fall out.\n")
    report = read_articles(tmp_path)
    by_id = {a.id: a for a in report.articles}
    assert by_id["sub/a"].title == "Shedding after COVID" and by_id["sub/a"].date == "2021-05-01"
    assert by_id["b"].title == "Scalp care basics"


def test_bad_files_are_skipped_with_a_warning_naming_them(tmp_path):
    good = "Hair loss\n\nHair loss has many causes, and most of them can be treated by a doctor.\n"
    (tmp_path / "good.txt").write_text(good)
    (tmp_path / "same-title.txt").write_text(good.replace("many causes", "several common causes"))
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 100)
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 hair tonic\n\nA caf\xe9 sells it.".encode("latin-1"))
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 not really a pdf")
    (tmp_path / "notes.docx").write_bytes(b"ignored: unsupported type")
    report = BuildReport()
    read = read_articles(tmp_path)
    prepared = prepare(read.articles, report)
    skipped = {Path(p).name: why for p, why in [*read.skipped, *report.skipped]}
    assert {p.doc.id for p in prepared} == {"good", "same-title"}  # a duplicate title is fine
    assert set(skipped) == {"empty.txt", "binary.txt", "latin1.txt", "broken.pdf"}
    assert "binary" in skipped["binary.txt"] and "UnicodeDecodeError" in skipped["latin1.txt"]


def test_missing_articles_path_is_a_clear_error(tmp_path):
    from index.errors import ArticlesError

    with pytest.raises(ArticlesError, match="not found"):
        read_articles(tmp_path / "nope")


def test_a_folder_with_nothing_readable_names_why_and_leaves_no_index_folder(tmp_path, capfd):
    """The error carries the skip reasons (the CLI prints no report after an error), pypdf's own noise is quiet,
    and a build that wrote nothing leaves no index folder holding only its lock."""
    from index.build import build_index
    from index.errors import ArticlesError
    from tests.test_ranking import FakeEncoder

    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "scan.pdf").write_bytes(b"not a pdf at all")
    with pytest.raises(ArticlesError, match=r"no readable articles .*skipped .*scan\.pdf"):
        build_index(articles, tmp_path / "index", Path("unused"), encoder=FakeEncoder())
    assert not (tmp_path / "index").exists()
    assert "invalid pdf header" not in capfd.readouterr().err.lower()


def _texts(folder: Path) -> dict[str, tuple[str, str]]:
    """id -> (title, cleaned text), as the index would store them."""
    report = read_articles(folder)
    return {p.doc.id: (p.doc.title, p.doc.text) for p in prepare(report.articles, BuildReport())}


def test_plain_text_keeps_every_paragraph_whatever_its_first_line_or_line_endings(tmp_path):
    (tmp_path / "rule.md").write_text(
        "# Chemo hair loss\n\nHair often falls out two weeks after the first dose.\n\n---\n\n"
        "A cold cap can reduce the loss for some people.\n\nMost hair grows back within six months.\n"
    )
    (tmp_path / "crlf.md").write_bytes(
        b"---\r\ntitle: Scalp cooling\r\n---\r\n\r\nCooling the scalp narrows its blood vessels.\r\n\r\n"
        b"Fewer drug molecules then reach the follicles.\r\n"
    )
    (tmp_path / "one.txt").write_text("Biotin supplements rarely help people who are not short of biotin.\n")
    got = _texts(tmp_path)
    title, text = got["rule"]
    assert title == "Chemo hair loss" and "#" not in text  # the heading is the title, a "---" rule only separates
    assert all(p in text for p in ("two weeks after", "cold cap", "grows back within six months"))
    assert got["crlf"][0] == "Scalp cooling" and "narrows" in got["crlf"][1] and "Fewer drug" in got["crlf"][1]
    assert got["one"] == ("one", "Biotin supplements rarely help people who are not short of biotin.")


def test_a_jsonl_field_that_is_not_text_names_the_line(tmp_path):
    (tmp_path / "a.jsonl").write_text(
        '{"id": "x", "title": "X", "text": "Hair grows about a centimetre a month.", "date": {"y": 2020}}\n'
        '{"id": "y", "title": "Y", "text": "Hair grows about a centimetre a month.", "date": 2020}\n'
    )
    report = read_articles(tmp_path)
    assert [a.id for a in report.articles] == ["y"] and report.articles[0].date == "2020"
    assert report.skipped and report.skipped[0][0].endswith("a.jsonl:1") and "date" in report.skipped[0][1]


def test_html_is_read_in_its_declared_charset(tmp_path):
    page = ("<html><head><meta charset='iso-8859-1'><title>Caf\xe9 clinic</title></head><body><article>"
            "<p>The caf\xe9 clinic in Lyon treats hair loss with a cr\xe8me that patients apply every night.</p>"
            "<p>Most patients see new growth after about four months of nightly use of the cr\xe8me.</p>"
            "</article></body></html>")
    (tmp_path / "page.html").write_bytes(page.encode("iso-8859-1"))
    title, text = _texts(tmp_path)["page"]
    assert "café clinic" in text and "crème" in text and "\ufffd" not in text + title


def test_a_link_to_a_folder_is_named_not_silently_skipped(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "a.txt").write_text("Scalp care\n\nWashing your hair often does not make it fall out.\n")
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    report = read_articles(tmp_path / "corpus")
    assert report.articles == [] and report.skipped[0][0].endswith("linked") and "not followed" in report.skipped[0][1]
