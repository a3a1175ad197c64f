"""ENISA severity arithmetic."""

from decimal import Decimal

import pytest

from incidents.rules.risk import AssessmentError, level_for_score, severity_assess

QUIET = {"ease_of_identification": "maximum", "confidentiality": "none", "integrity": "none",
         "availability": "none", "malicious": False}


@pytest.mark.parametrize(
    ("score", "level"),
    [("1.99", "low"), ("2", "medium"), ("2.99", "medium"), ("3", "high"), ("3.75", "high"), ("4", "very_high"),
     ("5.5", "very_high")],
)
def test_bands_include_their_lower_bound(score, level):
    assert level_for_score(Decimal(score)) == level


def test_name_and_email_leaked_publicly_by_an_attacker_is_medium():
    severity = severity_assess(
        data_categories=["name", "email_address"],
        assessment={**QUIET, "confidentiality": "public", "malicious": True},
    )
    assert severity.score == Decimal("2.0")
    assert severity.level == "medium"
    assert severity.breakdown[-1] == "SE = 1 x 1 + 1.0 = 2.0 -> medium"


def test_the_highest_category_sets_the_base_score():
    severity = severity_assess(data_categories=["name", "health", "payment_card"], assessment=QUIET)
    assert severity.dpc == 4
    assert severity.level == "very_high"
    assert "Health or medical information" in severity.breakdown[0]


def test_ease_of_identification_multiplies_the_base():
    severity = severity_assess(
        data_categories=["payment_card"], assessment={**QUIET, "ease_of_identification": "significant"}
    )
    assert severity.score == Decimal("2.25")


def test_every_circumstance_adds_up():
    severity = severity_assess(
        data_categories=["name"],
        assessment={"ease_of_identification": "negligible", "confidentiality": "limited",
                    "integrity": "unrecoverable", "availability": "permanent", "malicious": True},
    )
    assert severity.circumstances == Decimal("1.75")
    assert severity.score == Decimal("2.00")


def test_an_unknown_value_names_the_key():
    with pytest.raises(AssessmentError) as error:
        severity_assess(data_categories=["name"], assessment={**QUIET, "integrity": "broken"})
    assert error.value.field == "integrity"


def test_a_known_recipient_of_unknown_intentions_weighs_like_unknown_recipients():
    untrusted = severity_assess(data_categories=["name"], assessment={**QUIET, "confidentiality": "untrusted"})
    public = severity_assess(data_categories=["name"], assessment={**QUIET, "confidentiality": "public"})
    assert untrusted.score == public.score == Decimal("1.5")


def test_a_large_volume_raises_the_base_score_by_one_within_four():
    assert severity_assess(data_categories=["name"], assessment={**QUIET, "volume": "large"}).dpc == 2
    assert severity_assess(data_categories=["health"], assessment={**QUIET, "volume": "large"}).dpc == 4
    assert severity_assess(data_categories=["name"], assessment=QUIET).dpc == 1


def test_an_unknown_volume_names_the_key():
    with pytest.raises(AssessmentError) as error:
        severity_assess(data_categories=["name"], assessment={**QUIET, "volume": "huge"})
    assert error.value.field == "volume"
