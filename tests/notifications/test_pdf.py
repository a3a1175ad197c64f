"""PDF export: the regulator report and the letter, read back with pypdf."""

from __future__ import annotations

import io

from pypdf import PdfReader

from notifications import checks
from notifications.pdf import notice_pdf
from notifications.requirements import element_label


def read(data: bytes) -> tuple[str, set[float]]:
    """Return the PDF's text and the font sizes of every run of visible text."""
    sizes: set[float] = set()

    def visit(text, cm, tm, font, size):
        if text.strip():
            sizes.add(round(size * tm[3] * cm[3], 1))

    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text(visitor_text=visit) for page in reader.pages)
    return text, sizes


def test_the_gdpr_report_pdf_opens_with_every_required_element(eu_regulator_notice):
    text, sizes = read(notice_pdf(version=eu_regulator_notice.current_version, language="en"))
    for code in eu_regulator_notice.obligations.get().content:
        assert element_label(code) in " ".join(text.split())
    assert "INC-2026-0001" in text and "Timeline" in text and "Breach discovered" in text
    assert min(sizes) >= checks.MIN_POINTS


def test_the_californian_letter_pdf_has_the_title_headings_and_ten_point_type(individual_notice):
    text, sizes = read(notice_pdf(version=individual_notice.current_version, language="en"))
    for literal in ("Notice of Data Breach", *checks.CALIFORNIA_HEADINGS):
        assert literal in text
    assert min(sizes) >= 10


def test_the_chinese_pdf_is_set_in_a_chinese_font(individual_notice):
    text, sizes = read(notice_pdf(version=individual_notice.current_version, language="zh-Hans"))
    assert "发生了什么" in text and "数据泄露通知" in text
    assert min(sizes) >= 10


def test_text_typed_by_people_cannot_inject_pdf_markup(individual_notice, responder):
    from notifications import services

    notice = services.notice_edit(actor=responder, notice=individual_notice, language="en",
                                  elements={"nature": "<font size=2>tiny</font> & <b>bold"})
    text, sizes = read(notice_pdf(version=notice.current_version, language="en"))
    assert "<font size=2>tiny</font> & <b>bold" in text
    assert min(sizes) >= 10
