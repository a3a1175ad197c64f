"""Property tests of the row checker: it never crashes, and always either keeps a row or says why not."""

from __future__ import annotations

import csv
import io
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notifications.recipients.importing import recipients_import
from notifications.recipients.reading import rows_from_csv
from notifications.recipients.reasons import reason_known
from notifications.recipients.rows import COLUMNS, parse_phone, row_parse

E164 = re.compile(r"^\+[1-9]\d{6,14}$")

cell = st.one_of(st.none(), st.text(max_size=40), st.booleans(), st.integers(), st.floats(allow_nan=True))
hostile_rows = st.dictionaries(st.sampled_from(COLUMNS), cell, max_size=len(COLUMNS))

plausible = st.fixed_dictionaries(
    {
        "external_id": st.text(min_size=1, max_size=20),
        "jurisdiction": st.sampled_from(["DE", "de", "US-CA", "CN", "SG", "GB", "XX", "", "US-ZZ"]),
        "email": st.one_of(st.just(""), st.emails(), st.text(max_size=20)),
        "phone": st.one_of(st.just(""), st.from_regex(r"\+?[0-9 ()-]{0,16}", fullmatch=True)),
        "language": st.sampled_from(["", "en", "EN", "zh-Hans", "zh_hans", "fr", "klingon"]),
        "is_minor": st.sampled_from(["", "yes", "no", "1", "0", "maybe"]),
        "guardian_email": st.one_of(st.just(""), st.emails()),
        "data_categories": st.sampled_from(["", "name", "name;email_address", "name;nonsense", ";;"]),
        "postal_address": st.one_of(st.just(""), st.text(max_size=30)),
    }
)


def _assert_outcome(result) -> None:
    if result.accepted:
        assert result.values is not None
        contact = result.values["contact"]
        for key in ("phone", "guardian_phone"):
            if key in contact:
                assert E164.match(contact[key])
        assert result.values["language"] in ("en", "zh-hans", "de")
    else:
        assert result.errors, "a refused row must say why"
        assert all(isinstance(reason, str) and reason for reason in result.errors)
    unknown = [reason for reason in result.errors + result.warnings if not reason_known(reason)]
    assert unknown == [], "every reason is one of the templates the pages translate"


@given(hostile_rows)
@settings(max_examples=300, deadline=None)
def test_any_row_is_either_kept_or_refused_with_a_reason(raw):
    _assert_outcome(row_parse(raw))


@given(plausible)
@settings(max_examples=300, deadline=None)
def test_plausible_rows_are_either_kept_or_refused_with_a_reason(raw):
    _assert_outcome(row_parse(raw, incident_categories=["name", "email_address"]))


@given(st.text(max_size=30), st.sampled_from(["DE", "US", "CN", "ZZ", "SG"]))
@settings(max_examples=300, deadline=None)
def test_a_phone_is_either_e164_or_nothing(value, region):
    parsed = parse_phone(value, region=region)
    assert parsed is None or E164.match(parsed)


def test_a_kept_row_reports_the_contact_it_dropped():
    result = row_parse({"external_id": "x", "jurisdiction": "DE", "email": "ok@example.org", "phone": "12"})
    assert result.accepted
    assert result.warnings == ["phone: unparseable phone number"]
    assert "phone" not in result.values["contact"]


def test_a_language_defaults_from_the_country_of_residence():
    result = row_parse({"external_id": "x", "jurisdiction": "CN", "email": "wen@example.org"})
    assert result.values["language"] == "zh-hans"


def test_a_local_number_is_read_in_the_country_of_residence():
    assert row_parse(
        {"external_id": "x", "jurisdiction": "DE", "phone": "0151 12345678"}
    ).values["contact"]["phone"] == "+4915112345678"
    assert row_parse(
        {"external_id": "x", "jurisdiction": "US-NY", "phone": "(415) 555-2671"}
    ).values["contact"]["phone"] == "+14155552671"


def test_an_incomplete_web_push_subscription_is_dropped_with_a_reason():
    result = row_parse({
        "external_id": "x", "jurisdiction": "DE", "email": "a@example.org", "webpush_endpoint": "https://p.example/1",
    })
    assert result.accepted
    assert result.warnings == ["webpush: incomplete Web Push subscription (endpoint, p256dh and auth are all needed)"]


csv_cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=15)


@given(st.lists(st.lists(csv_cell, min_size=0, max_size=6), max_size=8))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_data_row_of_any_csv_is_counted_once_as_imported_or_rejected(responder, incident, table):
    header = ["external_id", "email", "phone", "jurisdiction", "language", "is_minor"]
    body = io.StringIO()
    writer = csv.writer(body)
    writer.writerow(header)
    writer.writerows(table)
    rejects = io.StringIO()
    summary = recipients_import(
        actor=responder, incident=incident, rows=rows_from_csv(io.StringIO(body.getvalue())),
        source_name="fuzz.csv", rejects_stream=rejects,
    )
    data_rows = sum(1 for _ in csv.reader(io.StringIO(body.getvalue()))) - 1
    assert summary.imported + summary.rejected == data_rows
    reported = list(csv.reader(io.StringIO(rejects.getvalue())))[1:]
    assert sum(1 for line in reported if line[2] == "rejected") == summary.rejected
    assert all(line[3] for line in reported)
