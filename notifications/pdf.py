"""PDF export of a notice version: the regulator report (or a print-ready letter) with the incident
reference and a timeline.

reportlab ships pure-Python wheels and the Adobe CID font STSong-Light, so Chinese
renders without any font file on the machine. Text typed by people is escaped
before it reaches reportlab's paragraph markup.
"""

from __future__ import annotations

import io
import re
from types import SimpleNamespace
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from notifications import drafting

BODY_POINTS = 11  # California asks for at least 10-point type (Cal. Civ. Code 1798.82(d)(1)).
HEADING_POINTS = 13
TITLE_POINTS = 17
CHINESE_FONT = "STSong-Light"


def _font(language: str) -> str:
    if language.startswith("zh"):
        if CHINESE_FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(CHINESE_FONT))
        return CHINESE_FONT
    return "Helvetica"


def _styles(font: str) -> dict[str, ParagraphStyle]:
    bold = font if font == CHINESE_FONT else "Helvetica-Bold"
    return {
        "title": ParagraphStyle("title", fontName=bold, fontSize=TITLE_POINTS, leading=TITLE_POINTS * 1.3, spaceAfter=8),
        "heading": ParagraphStyle("heading", fontName=bold, fontSize=HEADING_POINTS, leading=HEADING_POINTS * 1.3,
                                  spaceBefore=10, spaceAfter=4),
        "body": ParagraphStyle("body", fontName=font, fontSize=BODY_POINTS, leading=BODY_POINTS * 1.45,
                               spaceAfter=5, wordWrap="CJK" if font == CHINESE_FONT else None),
    }


_WIDE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+")


def _markup(text: str) -> str:
    """Escape text for reportlab and set CJK runs in the CID font, whatever the document's language."""
    _font("zh-hans")
    return _WIDE.sub(lambda run: f'<font name="{CHINESE_FONT}">{run[0]}</font>', escape(text)).replace("\n", "<br/>")


def _paragraphs(text: str, style: ParagraphStyle) -> list[Paragraph]:
    return [Paragraph(_markup(block), style) for block in text.split("\n\n") if block.strip()]


def _table(rows: list[tuple[str, str]], style: ParagraphStyle) -> Table:
    table = Table([[Paragraph(_markup(a), style), Paragraph(_markup(b), style)] for a, b in rows],
                  colWidths=[55 * mm, 110 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey)]))
    return table


def _reader(version, language: str):
    notice = version.notice
    if notice.audience == "individuals":
        return drafting.sample_recipient(notice, language)
    authorities = "; ".join(o.get("authority", "") for o in version.facts.get("obligations", []))
    return SimpleNamespace(name=authorities, personal_url="",
                           jurisdiction=notice.jurisdictions[0] if notice.jurisdictions else None)


def _story(version, language: str, styles) -> list:
    context = drafting.render_context(version, language)
    values = drafting.personal_values(version, _reader(version, language))
    story = [Paragraph(_markup(context["title"]), styles["title"])]
    header = [(_("Incident reference"), context["ref"]), (_("From"), context["organisation"].get("legal_name", "")),
              (_("To"), values["name"]), (_("Date of this report"), values["notice_date"])]
    story += [_table(header, styles["body"]), Spacer(1, 4 * mm)]
    for section in context["sections"]:
        story.append(Paragraph(_markup(section["heading"]), styles["heading"]))
        for text in section["texts"]:
            story += _paragraphs(drafting.personalise(text, values, html=False), styles["body"])
    story.append(Paragraph(_markup(_("Timeline")), styles["heading"]))
    story.append(_table(context["timeline"], styles["body"]))
    return story


def notice_pdf(*, version, language: str) -> bytes:
    """Return the PDF of the version in ``language`` (English when the notice lacks it)."""
    language = drafting.normalise_language(language)
    language = language if language in version.elements else "en"
    buffer = io.BytesIO()
    with translation.override(language):
        styles = _styles(_font(language))
        document = SimpleDocTemplate(
            buffer, pagesize=A4, title=drafting.render_context(version, language)["title"],
            author=version.facts.get("organisation", {}).get("legal_name", ""), subject=version.facts.get("ref", ""),
            leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm, bottomMargin=18 * mm,
        )
        document.build(_story(version, language, styles))
    return buffer.getvalue()
