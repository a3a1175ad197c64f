"""PDF export of a notice version: the regulator report (or a print-ready letter) with the incident
reference and a timeline; and the mail house's batch of printed letters, one per person.

Chinese is set in the TrueType font that ``PDF_CJK_FONT_FILE`` names, embedded (reportlab
subsets it to the characters used). Without it, reportlab's Adobe CID font STSong-Light needs
no file on the machine but is never embedded: a reader or printer without Adobe's Asian font
pack shows blanks. Text typed by people is escaped before it reaches reportlab's paragraph markup.

reportlab keeps every page of a document in memory until it saves it, so the batch of
letters is laid out a part at a time and each part's pages are copied (with pypdf) into
one PDF written front to back: memory holds one part, whatever the number of letters.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from pathlib import Path
from types import SimpleNamespace
from typing import BinaryIO
from xml.sax.saxutils import escape

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
    TextStringObject,
)
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepInFrame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from incidents.models import Audience
from notifications.notices import rendering

BODY_POINTS = 11  # California asks for at least 10-point type (Cal. Civ. Code 1798.82(d)(1)).
HEADING_POINTS = 13
TITLE_POINTS = 17
CID_FONT = "STSong-Light"
# The title of every Chinese notice: a font without these characters is no Chinese font.
CHINESE_SAMPLE = "数据泄露通知"


@lru_cache
def _truetype_font(spec: str) -> str:
    """Register the TrueType font ``spec`` names (``path``, or ``path#index`` for a subfont of a
    .ttc collection) and return its name; raise ImproperlyConfigured, naming the variable and
    the path, when the file is missing, is no TrueType font reportlab can embed, or lacks Chinese."""
    path, sep, index = spec.rpartition("#")
    if not (sep and index.isdigit()):
        path, index = spec, "0"
    if not Path(path).is_file():
        raise ImproperlyConfigured(f"PDF_CJK_FONT_FILE names {path!r}, but there is no file there.")
    # The name only has to be unique per file and subfont, and safe inside paragraph markup.
    name = "CJK-" + hashlib.sha256(f"{path}#{index}".encode()).hexdigest()[:16]
    try:
        font = TTFont(name, path, subfontIndex=int(index))
    except (TTFError, struct.error) as exc:
        raise ImproperlyConfigured(
            f"PDF_CJK_FONT_FILE names {path!r} (subfont {index}), which reportlab cannot load as a "
            f"TrueType font: {exc}"
        ) from exc
    missing = [char for char in CHINESE_SAMPLE if ord(char) not in font.face.charToGlyph]
    if missing:
        raise ImproperlyConfigured(
            f"PDF_CJK_FONT_FILE names {path!r} (subfont {index}), which has no Chinese characters "
            f"(no glyph for {''.join(missing)})."
        )
    pdfmetrics.registerFont(font)
    return name


def chinese_font() -> str:
    """Return the name of the font Chinese is set in: the TrueType font ``PDF_CJK_FONT_FILE`` names,
    registered on first use, or else the CID font STSong-Light. Raises ImproperlyConfigured."""
    if settings.PDF_CJK_FONT_FILE:
        return _truetype_font(settings.PDF_CJK_FONT_FILE)
    if CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def font_check(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    """notifications.E001: PDF_CJK_FONT_FILE names a font the PDFs cannot use, found at start-up
    rather than when the first Chinese PDF is asked for."""
    try:
        chinese_font()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), hint="Name a TrueType font with Chinese (.ttf, or .ttc#index), or "
                             "leave PDF_CJK_FONT_FILE empty for the unembedded STSong-Light.",
                             id="notifications.E001")]
    return []


def _styles(language: str) -> dict[str, ParagraphStyle]:
    chinese = language.startswith("zh")
    font = chinese_font() if chinese else "Helvetica"
    bold = font if chinese else "Helvetica-Bold"
    return {
        "title": ParagraphStyle("title", fontName=bold, fontSize=TITLE_POINTS, leading=TITLE_POINTS * 1.3, spaceAfter=8),
        "heading": ParagraphStyle("heading", fontName=bold, fontSize=HEADING_POINTS, leading=HEADING_POINTS * 1.3,
                                  spaceBefore=10, spaceAfter=4),
        "body": ParagraphStyle("body", fontName=font, fontSize=BODY_POINTS, leading=BODY_POINTS * 1.45,
                               spaceAfter=5, wordWrap="CJK" if chinese else None),
    }


_WIDE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+")


def _markup(text: str) -> str:
    """Escape text for reportlab and set CJK runs in the Chinese font, whatever the document's language."""
    font = chinese_font()
    return _WIDE.sub(lambda run: f'<font name="{font}">{run[0]}</font>', escape(text)).replace("\n", "<br/>")


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
    if notice.audience == Audience.INDIVIDUALS:
        return rendering.sample_recipient(notice, language)
    authorities = "; ".join(o.get("authority", "") for o in version.facts.get("obligations", []))
    return SimpleNamespace(name=authorities, personal_url="",
                           jurisdiction=notice.jurisdictions[0] if notice.jurisdictions else None)


def _story(version, language: str, styles) -> list:
    context = rendering.render_context(version, language)
    values = rendering.personal_values(version, _reader(version, language))
    story: list[Flowable] = [Paragraph(_markup(context["title"]), styles["title"])]
    story += [Paragraph(_markup(line), styles["body"]) for line in (context["report_basis"], context["sample_note"])
              if line]
    header = [(_("Incident reference"), context["ref"]), (_("From"), context["organisation"].get("legal_name", "")),
              (_("To"), values["name"]), (_("Date of this report"), values["notice_date"])]
    story += [_table(header, styles["body"]), Spacer(1, 4 * mm)]
    for section in context["sections"]:
        story.append(Paragraph(_markup(section["heading"]), styles["heading"]))
        for text in section["texts"]:
            story += _paragraphs(rendering.personalise(text, values, html=False), styles["body"])
    if context["timeline"]:
        story.append(Paragraph(_markup(_("Timeline")), styles["heading"]))
        story.append(_table(context["timeline"], styles["body"]))
    return story


def notice_pdf(*, version, language: str) -> bytes:
    """Return the PDF of the version in ``language`` (English when the notice lacks it)."""
    language = rendering.normalise_language(language)
    language = language if language in version.elements else "en"
    buffer = io.BytesIO()
    with translation.override(language):
        styles = _styles(language)
        document = SimpleDocTemplate(
            buffer, pagesize=A4, title=rendering.render_context(version, language)["title"],
            author=version.facts.get("organisation", {}).get("legal_name", ""), subject=version.facts.get("ref", ""),
            leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm, bottomMargin=18 * mm,
        )
        document.build(_story(version, language, styles))
    return buffer.getvalue()


# The printed-letter batch.

# The address field of a DIN 5008 (form B) letter, which DL and C5/6 window envelopes show:
# 45 mm from the top and 20 mm from the left of the A4 sheet, 85 mm wide and 45 mm high.
WINDOW_TOP, WINDOW_LEFT, WINDOW_WIDTH, WINDOW_HEIGHT = 45 * mm, 20 * mm, 85 * mm, 45 * mm
LETTER_MARGIN = 18 * mm
LETTERS_PER_PART = 100


@dataclass(frozen=True)
class Letter:
    """One person's printed letter: the window address and their copy of the letter rendering,
    whose blocks equal to ``title`` or one of ``headings`` are set as such."""

    name: str
    address: str
    language: str
    text: str
    title: str
    headings: frozenset[str]


def _window(letter: Letter, style: ParagraphStyle) -> Table:
    """The name and postal address, shrunk if need be to stay inside the envelope's window."""
    lines = [line.strip() for line in [letter.name, *letter.address.splitlines()] if line.strip()]
    address = KeepInFrame(WINDOW_WIDTH, WINDOW_HEIGHT, [Paragraph(_markup("\n".join(lines)), style)], mode="shrink")
    window = Table([[address]], colWidths=[WINDOW_WIDTH], rowHeights=[WINDOW_HEIGHT], hAlign="LEFT")
    window.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0),
                                ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
    return window


def _letter_story(letter: Letter) -> list:
    styles = _styles(letter.language)
    story = [NextPageTemplate("later"), _window(letter, styles["body"]), Spacer(1, 8 * mm)]
    for block in letter.text.split("\n\n"):
        if block.strip():
            kind = "title" if block == letter.title else "heading" if block in letter.headings else "body"
            story.append(Paragraph(_markup(block), styles[kind]))
    return story


def _letters_document(buffer: io.BytesIO) -> BaseDocTemplate:
    """A4 pages whose first page of each letter starts at the window; streams left uncompressed
    (``_PdfPages`` compresses them as it copies them)."""
    width, height = A4

    def frame(name: str, top: float) -> Frame:
        return Frame(WINDOW_LEFT, LETTER_MARGIN, width - 2 * WINDOW_LEFT, height - top - LETTER_MARGIN, id=name,
                     leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)

    return BaseDocTemplate(buffer, pagesize=A4, pageCompression=0, pageTemplates=[
        PageTemplate("first", [frame("first", WINDOW_TOP)]), PageTemplate("later", [frame("later", LETTER_MARGIN)]),
    ])


def _letters_part(letters: list[Letter]) -> bytes:
    """A PDF of ``letters``, each starting on a new page."""
    story: list = []
    for letter in letters:
        if story:
            story += [NextPageTemplate("first"), PageBreak()]
        story += _letter_story(letter)
    buffer = io.BytesIO()
    _letters_document(buffer).build(story)
    return buffer.getvalue()


def letters_pdf(*, letters: Iterable[Letter], stream: BinaryIO, title: str, author: str,
                per_part: int = LETTERS_PER_PART) -> int:
    """Write ``letters`` to the binary ``stream`` as one PDF, each letter from a new page; return the page count.

    ``letters`` is consumed ``per_part`` at a time, so a generator that decrypts one person at a
    time keeps at most that many people in memory.
    """
    output = _PdfPages(stream)
    letters = iter(letters)
    while part := list(islice(letters, per_part)):
        output.append(_letters_part(part))
    return output.close(title=title, author=author)


_PAGE_TREE = IndirectObject(1, 0, None)


def _copy(value, renumber: Callable[[IndirectObject], IndirectObject]):
    """``value`` with its references renumbered and a page's /Parent pointing at the one page tree.

    Streams are copied decoded, to be compressed again when written: the letters' streams are
    text and fonts, never images, whose filters could not be undone this way.
    """
    if isinstance(value, IndirectObject):
        return renumber(value)
    if isinstance(value, StreamObject):
        copy = DecodedStreamObject()
        copy.set_data(value.get_data())
        copy.update({key: _copy(item, renumber) for key, item in value.items() if key not in ("/Filter", "/DecodeParms")})
        return copy.flate_encode()
    if isinstance(value, DictionaryObject):
        return DictionaryObject(
            {key: _PAGE_TREE if key == "/Parent" else _copy(item, renumber) for key, item in value.items()}
        )
    if isinstance(value, ArrayObject):
        return ArrayObject(_copy(item, renumber) for item in value)
    return value


class _PdfPages:
    """A PDF written front to back from the pages of other PDFs, one document at a time.

    Object 1 is the page tree, 2 the catalogue and 3 the information dictionary, all written
    last; until then only each object's offset and each page's number are kept (8 bytes each).
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._stream, self._position = stream, 0
        self._offsets = array("Q", [0, 0, 0, 0])
        self._pages = array("Q")
        self._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    def _write(self, data: bytes) -> None:
        self._stream.write(data)
        self._position += len(data)

    def _object(self, number: int, value) -> None:
        body = io.BytesIO()
        value.write_to_stream(body)
        self._offsets[number] = self._position
        self._write(b"%d 0 obj\n%s\nendobj\n" % (number, body.getvalue()))

    def append(self, document: bytes) -> None:
        """Copy every page of ``document`` and every object its pages use."""
        reader = PdfReader(io.BytesIO(document))
        numbers: dict[int, int] = {}
        pending: list[IndirectObject] = []

        def renumber(reference: IndirectObject) -> IndirectObject:
            if reference.idnum not in numbers:
                self._offsets.append(0)
                numbers[reference.idnum] = len(self._offsets) - 1
                pending.append(reference)
            return IndirectObject(numbers[reference.idnum], 0, None)

        for page in reader.pages:
            assert page.indirect_reference is not None  # every page read from a file has its object number
            self._pages.append(renumber(page.indirect_reference).idnum)
        while pending:
            reference = pending.pop()
            self._object(numbers[reference.idnum], _copy(reference.get_object(), renumber))

    def close(self, *, title: str, author: str) -> int:
        """Write the page tree, catalogue, information, cross-reference table and trailer; return the page count."""
        self._offsets[1] = self._position
        self._write(b"1 0 obj\n<< /Type /Pages /Count %d /Kids [" % len(self._pages))
        for start in range(0, len(self._pages), 10_000):
            self._write(b"".join(b" %d 0 R" % number for number in self._pages[start:start + 10_000]))
        self._write(b" ] >>\nendobj\n")
        self._object(2, DictionaryObject({NameObject("/Type"): NameObject("/Catalog"), NameObject("/Pages"): _PAGE_TREE}))
        self._object(3, DictionaryObject({NameObject("/Title"): TextStringObject(title),
                                          NameObject("/Author"): TextStringObject(author),
                                          NameObject("/Producer"): TextStringObject("Breachline")}))
        xref = self._position
        self._write(b"xref\n0 %d\n0000000000 65535 f \n" % len(self._offsets))
        for start in range(1, len(self._offsets), 10_000):
            self._write(b"".join(b"%010d 00000 n \n" % offset for offset in self._offsets[start:start + 10_000]))
        self._write(b"trailer\n<< /Size %d /Root 2 0 R /Info 3 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(self._offsets), xref))
        return len(self._pages)
