"""Deadline arithmetic at exact instants, with real 2026 dates."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from incidents.rules.clock import (
    HolidayCalendar,
    add_business_days,
    add_calendar_days,
    add_hours,
    compute_due,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
US_FEDERAL = HolidayCalendar("US")
BRAZIL = HolidayCalendar("BR", ("public",), ("optional",))


@pytest.mark.parametrize(
    ("start", "due_utc", "due_local"),
    [
        # Spring: clocks go forward on 29 March 2026; 72 h later the wall clock reads one hour more.
        (datetime(2026, 3, 27, 10, 0, tzinfo=BERLIN), datetime(2026, 3, 30, 9, 0, tzinfo=UTC), "2026-03-30 11:00"),
        # Autumn: clocks go back on 25 October 2026; 72 h later the wall clock reads one hour less.
        (datetime(2026, 10, 23, 10, 0, tzinfo=BERLIN), datetime(2026, 10, 26, 8, 0, tzinfo=UTC), "2026-10-26 09:00"),
        # No change in between: the wall clock time is the same.
        (datetime(2026, 6, 1, 10, 0, tzinfo=BERLIN), datetime(2026, 6, 4, 8, 0, tzinfo=UTC), "2026-06-04 10:00"),
    ],
)
def test_72_hours_are_elapsed_time_across_daylight_saving_changes(start, due_utc, due_local):
    due = add_hours(start, 72).due_at
    assert due == due_utc
    assert due.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M") == due_local
    assert (due - start).total_seconds() == 72 * 3600


def test_hours_ignore_weekends():
    friday_evening = datetime(2026, 5, 1, 18, 0, tzinfo=UTC)
    assert add_hours(friday_evening, 72).due_at == datetime(2026, 5, 4, 18, 0, tzinfo=UTC)


def test_calendar_days_count_the_clock_start_day_as_day_zero_and_end_at_235959_local():
    start = datetime(2026, 1, 5, 23, 30, tzinfo=LOS_ANGELES)  # already 6 January in UTC
    due = add_calendar_days(start, 30, LOS_ANGELES).due_at
    assert due.astimezone(LOS_ANGELES) == datetime(2026, 2, 4, 23, 59, 59, tzinfo=LOS_ANGELES)


def test_calendar_days_do_not_roll_over_a_weekend():
    start = datetime(2026, 2, 4, 9, 0, tzinfo=ZoneInfo("Asia/Singapore"))  # Wednesday
    due = add_calendar_days(start, 3, ZoneInfo("Asia/Singapore")).due_at
    assert due.astimezone(ZoneInfo("Asia/Singapore")).date() == date(2026, 2, 7)  # Saturday


def test_sec_four_business_days_skip_thanksgiving():
    monday = datetime(2026, 11, 23, 16, 0, tzinfo=NEW_YORK)
    due = add_business_days(monday, 4, NEW_YORK, US_FEDERAL)
    # Tue 24, Wed 25, (Thu 26 Thanksgiving), Fri 27, (weekend), Mon 30.
    assert due.due_at.astimezone(NEW_YORK) == datetime(2026, 11, 30, 23, 59, 59, tzinfo=NEW_YORK)
    assert due.skipped_days == [(date(2026, 11, 26), "Thanksgiving Day")]


def test_business_days_in_an_ordinary_week():
    monday = datetime(2026, 9, 14, 10, 0, tzinfo=NEW_YORK)
    due = add_business_days(monday, 4, NEW_YORK, US_FEDERAL).due_at
    assert due.astimezone(NEW_YORK).date() == date(2026, 9, 18)


def test_brazil_three_business_days_skip_black_awareness_day():
    wednesday = datetime(2026, 11, 18, 9, 0, tzinfo=SAO_PAULO)
    due = add_business_days(wednesday, 3, SAO_PAULO, BRAZIL)
    # Thu 19, (Fri 20 November national holiday), (weekend), Mon 23, Tue 24.
    assert due.due_at.astimezone(SAO_PAULO).date() == date(2026, 11, 24)
    assert due.uncertain_days == []


def test_brazil_counts_carnival_as_business_days_and_reports_them():
    friday = datetime(2026, 2, 13, 15, 0, tzinfo=SAO_PAULO)
    due = add_business_days(friday, 3, SAO_PAULO, BRAZIL)
    # Carnival Mon 16 and Tue 17, Ash Wednesday 18 February are "ponto facultativo", not holidays.
    assert due.due_at.astimezone(SAO_PAULO) == datetime(2026, 2, 18, 23, 59, 59, tzinfo=SAO_PAULO)
    assert [name for _day, name in due.uncertain_days] == ["Carnival", "Carnival", "Ash Wednesday"]


def test_installed_holidays_data_has_what_the_rules_rely_on():
    import holidays

    brazil = holidays.country_holidays("BR", years=2026)
    assert date(2026, 11, 20) in brazil
    assert date(2026, 2, 16) not in brazil
    assert date(2026, 2, 16) in holidays.country_holidays("BR", years=2026, categories=("optional",))
    assert date(2026, 11, 26) in holidays.country_holidays("US", years=2026)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        add_hours(datetime(2026, 1, 1, 0, 0), 1)  # noqa: DTZ001


@pytest.mark.parametrize(
    ("start", "due_local"),
    [
        # Discovered on the last day of 2027: the year ends the same day, so 60 days later is 29 Feb 2028.
        (datetime(2027, 12, 31, 23, 30, tzinfo=NEW_YORK), "2028-02-29 23:59:59"),
        # Discovered on 1 January 2027: still the 2027 year, the same date.
        (datetime(2027, 1, 1, 0, 0, tzinfo=NEW_YORK), "2028-02-29 23:59:59"),
        # 2026 ends before a common year: 60 days after 31 Dec 2026 is 1 March 2027.
        (datetime(2026, 3, 2, 10, 0, tzinfo=NEW_YORK), "2027-03-01 23:59:59"),
        # 05:00 UTC on 1 Jan 2028 is still 31 Dec 2027 in New York: the zone decides the year.
        (datetime(2028, 1, 1, 4, 59, tzinfo=UTC), "2028-02-29 23:59:59"),
        (datetime(2028, 1, 1, 5, 0, tzinfo=UTC), "2029-03-01 23:59:59"),
    ],
)
def test_days_after_the_calendar_year_count_from_31_december_of_the_clock_start_year(start, due_local):
    due = compute_due(start, unit="after_calendar_year", amount=60, zone=NEW_YORK).due_at
    assert due.tzinfo == UTC
    assert due.astimezone(NEW_YORK).strftime("%Y-%m-%d %H:%M:%S") == due_local
