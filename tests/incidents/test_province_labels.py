"""Canadian provinces are residence codes people can pick on the incident page, shown by name in both languages."""

from __future__ import annotations

from django.utils import translation

from incidents.form_fields import AffectedRowForm, jurisdiction_label, jurisdiction_options


def test_a_province_is_shown_by_its_name_and_country_in_english_and_chinese():
    with translation.override("en"):
        assert jurisdiction_label("CA-QC") == "Quebec (Canada)"
        assert jurisdiction_label("US-TX") == "Texas (United States)"
    with translation.override("zh-hans"):
        assert jurisdiction_label("CA-QC") == "魁北克省 (加拿大)"


def test_the_picker_offers_the_provinces_and_the_form_accepts_them():
    codes = {code for code, _label in jurisdiction_options()}
    assert {"CA-QC", "CA-AB", "CA-ON", "NO", "US-CA"} <= codes
    assert AffectedRowForm({"jurisdiction": "ca-ab", "count": 75}).is_valid()
    assert not AffectedRowForm({"jurisdiction": "CA-XX", "count": 75}).is_valid()
