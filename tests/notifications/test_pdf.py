"""PDF export: the regulator report and the letter, read back with pypdf."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import reportlab
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from pypdf import PdfReader

from notifications.notices import checks
from notifications.notices.pdf import Letter, letters_pdf, notice_pdf

TRUETYPE_MAGIC = b"\x00\x01\x00\x00"
# reportlab's own Bitstream Vera: a sound TrueType font, with no Chinese.
VERA = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"


def read(data: bytes) -> tuple[str, set[float]]:
    """Return the PDF's text and the font sizes of every run of visible text."""
    sizes: set[float] = set()

    def visit(text, cm, tm, font, size):
        if text.strip():
            sizes.add(round(size * tm[3] * cm[3], 1))

    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text(visitor_text=visit) for page in reader.pages)
    return text, sizes


def font_files(data: bytes) -> dict[str, bytes | None]:
    """Each font the pages use, by its base name (subset tag included), with the TrueType file
    embedded for it (the descriptor's FontFile2 stream), or None when nothing is embedded."""
    files: dict[str, bytes | None] = {}
    for page in PdfReader(io.BytesIO(data), strict=True).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = described.get("/FontDescriptor")
            embedded = descriptor.get_object().get("/FontFile2") if descriptor else None
            files[font["/BaseFont"]] = embedded.get_object().get_data() if embedded else None
    return files


def zenhei_files(data: bytes, face: str = "WenQuanYiZenHei") -> list[bytes | None]:
    return [file for name, file in font_files(data).items() if name.split("+")[-1].startswith(f"{face}-")]


def test_the_gdpr_report_pdf_opens_with_every_required_element(eu_regulator_notice):
    version = eu_regulator_notice.current_version
    text, sizes = read(notice_pdf(version=version, language="en"))
    for code in eu_regulator_notice.obligations.get().content:
        assert " ".join(version.text("en", code).split())[:40] in " ".join(text.split())
    assert "(c) Likely consequences" in text
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


def test_a_chinese_regulator_report_embeds_the_truetype_font_and_its_text_reads_back(cn_regulator_notice, zenhei):
    data = notice_pdf(version=cn_regulator_notice.current_version, language="zh-hans")

    text, sizes = read(data)
    assert "个人信息泄露报告" in text and "个人信息泄露的信息种类" in text and "约 1,202,950 人受到影响" in text
    assert min(sizes) >= checks.MIN_POINTS
    embedded = zenhei_files(data)
    assert embedded and all(file and file.startswith(TRUETYPE_MAGIC) for file in embedded)
    # Subsets of the characters used: a sliver of the 16 MB collection.
    assert sum(map(len, embedded)) < zenhei.stat().st_size / 20
    assert not any("STSong" in name for name in font_files(data))


def test_the_index_after_the_path_picks_a_face_of_the_collection(cn_regulator_notice, zenhei, settings):
    settings.PDF_CJK_FONT_FILE = f"{zenhei}#1"

    data = notice_pdf(version=cn_regulator_notice.current_version, language="zh-hans")

    assert zenhei_files(data, "WenQuanYiZenHeiMono") and not zenhei_files(data)
    assert "个人信息泄露报告" in read(data)[0]


def test_without_a_font_file_chinese_is_set_in_stsong_light_and_nothing_is_embedded(cn_regulator_notice, settings):
    settings.PDF_CJK_FONT_FILE = ""

    data = notice_pdf(version=cn_regulator_notice.current_version, language="zh-hans")

    assert font_files(data) == {"/Helvetica": None, "/STSong-Light": None}
    assert "个人信息泄露报告" in read(data)[0]


def test_the_system_check_accepts_a_usable_font(zenhei, capsys):
    call_command("check")

    assert "no issues" in capsys.readouterr().out


def _refusal(settings, spec: str) -> tuple[str, str]:
    """What rendering a Chinese letter raises, and what ``manage.py check`` reports, with ``spec`` set."""
    settings.PDF_CJK_FONT_FILE = spec
    chinese = Letter(name="李雷", address="上海市浦东新区世纪大道100号", language="zh-hans", title="数据泄露通知",
                     headings=frozenset(), text="数据泄露通知\n\n尊敬的李雷：")
    with pytest.raises(ImproperlyConfigured) as refused:
        letters_pdf(letters=[chinese], stream=io.BytesIO(), title="Letters", author="Example")
    with pytest.raises(SystemCheckError) as failed:
        call_command("check")
    return str(refused.value), str(failed.value)


@pytest.mark.parametrize(("name", "content", "problem"), [
    ("missing.ttf", None, "there is no file there"),
    ("notes.ttf", b"Not a font at all.\n", "reportlab cannot load as a TrueType font"),
    ("cut-short.ttc", b"ttcf\x00\x01", "reportlab cannot load as a TrueType font"),
])
def test_a_font_file_that_cannot_be_used_is_refused_naming_the_variable_and_the_path(settings, tmp_path, name,
                                                                                  content, problem):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)

    error, check = _refusal(settings, str(path))

    assert error.startswith(f"PDF_CJK_FONT_FILE names '{path}'") and problem in error
    assert f"(notifications.E001) {error}" in check


def test_a_subfont_index_beyond_the_collection_is_refused(settings, zenhei):
    error, check = _refusal(settings, f"{zenhei}#7")

    assert error.startswith(f"PDF_CJK_FONT_FILE names '{zenhei}' (subfont 7)") and "bad subfontIndex 7" in error
    assert "notifications.E001" in check


def test_a_font_without_chinese_is_refused(settings):
    error, check = _refusal(settings, str(VERA))

    assert error == (f"PDF_CJK_FONT_FILE names '{VERA}' (subfont 0), which has no Chinese characters "
                     "(no glyph for 数据泄露通知).")
    assert "notifications.E001" in check


def test_text_typed_by_people_cannot_inject_pdf_markup(individual_notice, responder):
    from notifications.notices import services

    notice = services.notice_edit(actor=responder, notice=individual_notice, language="en",
                                  elements={"nature": "<font size=2>tiny</font> & <b>bold"})
    text, sizes = read(notice_pdf(version=notice.current_version, language="en"))
    assert "<font size=2>tiny</font> & <b>bold" in text
    assert min(sizes) >= 10


def _letter(name: str) -> Letter:
    return Letter(name=name, address="1 Main St\nSpringfield", language="en", title="Notice of Data Breach",
                  headings=frozenset({"What Happened"}), text=f"Notice of Data Breach\n\nDear {name},\n\nWhat Happened\n\nA backup leaked.")


def test_letters_laid_out_in_parts_make_one_pdf_with_every_letter_in_order():
    stream = io.BytesIO()

    pages = letters_pdf(letters=[_letter(f"Reader {n}") for n in range(5)], stream=stream, title="Letters",
                        author="Example", per_part=2)

    reader = PdfReader(io.BytesIO(stream.getvalue()), strict=True)
    assert pages == len(reader.pages) == 5
    assert [page.extract_text().splitlines()[0] for page in reader.pages] == [f"Reader {n}" for n in range(5)]
    assert reader.metadata.title == "Letters"


def test_letters_are_taken_from_their_source_a_part_at_a_time():
    taken = 0

    def source():
        nonlocal taken
        for n in range(5):
            taken += 1
            yield _letter(f"Reader {n}")

    class Recorder(io.BytesIO):
        """Notes how many letters had been taken when each piece of the PDF was written."""

        def __init__(self):
            super().__init__()
            self.taken_at_write: list[int] = []

        def write(self, data):
            self.taken_at_write.append(taken)
            return super().write(data)

    stream = Recorder()
    letters_pdf(letters=source(), stream=stream, title="Letters", author="Example", per_part=2)

    # The header before any letter, the first part's pages after two letters, not five.
    assert stream.taken_at_write[:2] == [0, 2]
    assert stream.taken_at_write[-1] == 5
