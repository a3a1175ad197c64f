"""Rule lint: every shipped rule file is valid, cited, dated and carries passing examples."""

import tomllib
from pathlib import Path

import pytest

from incidents.rules.examples import example_failures
from incidents.rules.loader import RULES_DIR, load_rule_file, load_rules, load_rules_from
from incidents.rules.schema import RuleFileError

RULES = load_rules()
EU_TOML = (RULES_DIR / "eu.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("rule", RULES.rules, ids=lambda rule: rule.code)
def test_every_rule_is_cited_dated_and_has_examples(rule):
    assert rule.sources and all(url.startswith("http") for url in rule.sources)
    assert rule.last_verified
    assert rule.examples, f"{rule.code} has no example cases"
    for duty in rule.duties:
        assert duty.clause.strip(), f"{rule.code}:{duty.id} has no citation"
        assert duty.timing.strip(), f"{rule.code}:{duty.id} does not quote the law's timing"


@pytest.mark.parametrize(
    ("rule", "example"),
    [(rule, example) for rule in RULES.rules for example in rule.examples],
    ids=lambda value: getattr(value, "code", None) or getattr(value, "name", ""),
)
def test_every_rule_example_passes(rule, example):
    assert example_failures(rule, example, RULES.regimes) == []


def test_the_reference_jurisdictions_have_rule_files():
    codes = {rule.code for rule in RULES}
    assert codes >= {"EU", "US-CA", "CN", "CN-CAC", "SG", "GB", "US-SEC", "US-HIPAA", "US-NYDFS", "US-GLBA-FTC", "BR"}


def test_every_eu_member_state_has_its_supervisory_authority():
    from incidents.rules.jurisdictions import EU_MEMBER_STATES

    assert set(RULES.get("EU").authorities) >= EU_MEMBER_STATES


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    assert old in EU_TOML
    path = tmp_path / "eu.toml"
    path.write_text(EU_TOML.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('deadline = { unit = "hours", amount = 72 }', 'deadline = { unit = "weeks", amount = 72 }',
         "duties[0].deadline.unit"),
        ('deadline = { unit = "hours", amount = 72 }', 'deadline = { unit = "hours" }', "duties[0].deadline.amount"),
        ('time_zone = "Europe/Brussels"', 'time_zone = "Europe/Atlantis"', "time_zone"),
        ('clock_start = "aware"', 'clock_start = "noticed"', "duties[0].clock_start"),
        ('min_risk = "medium"', 'min_risk = "medium"\nthreshold = { op = "=>", count = 5 }', "duties[0].threshold.op"),
        ('safe_harbours = ["encryption"]', 'safe_harbour = "encryption"', "duties[1].safe_harbour"),
        ('safe_harbours = ["encryption"]', 'safe_harbours = ["encryption", "redaction"]', "duties[1].safe_harbours[1]"),
        ('kind = "encryption"', 'kind = "tokenisation"', "safe_harbours[0].kind"),
        ('kind = "encryption"', 'kind = "redaction"', "safe_harbours[0].key_exception"),
        ('last_verified = 2026-11-29\n', "", "last_verified"),
        ('content = ["nature", "contact"', 'content = ["nature", "hotline"', "duties[1].content[1]"),
        ('residence = ["EEA"]', 'residence = ["EEA", "XX"]', "applies.residence[1]"),
        ('deadline = { unit = "hours", amount = 72 }',
         'deadline = { unit = "hours", amount = 72 }\nmalicious_deadline = { unit = "hours", amount = 96, clause = "x" }',
         "duties[0].malicious_deadline"),
    ],
)
def test_a_broken_rule_file_fails_naming_file_and_field(tmp_path, old, new, field):
    path = _broken(tmp_path, old, new)
    with pytest.raises(RuleFileError) as error:
        load_rule_file(path)
    assert error.value.field_path == field
    assert str(error.value).startswith(f"eu.toml: {field}: ")


def test_a_toml_syntax_error_names_the_file(tmp_path):
    path = _broken(tmp_path, 'code = "EU"', 'code = "EU')
    with pytest.raises(RuleFileError, match=r"^eu.toml: \(syntax\)"):
        load_rule_file(path)


def test_two_files_with_one_code_are_refused(tmp_path):
    (tmp_path / "a.toml").write_text(EU_TOML, encoding="utf-8")
    (tmp_path / "b.toml").write_text(EU_TOML, encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"^b.toml: code: 'EU' is also the code of a.toml"):
        load_rules_from(tmp_path)


def test_shipped_files_parse_with_the_standard_library():
    for path in RULES_DIR.glob("*.toml"):
        tomllib.loads(path.read_text(encoding="utf-8"))
