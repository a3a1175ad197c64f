"""The demo data a newcomer meets on the first `make run`."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from incidents.models import Incident

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_two_legal_users_and_an_incident_whose_deadlines_are_all_ahead():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    legal = User.objects.filter(groups__name="legal").values_list("username", flat=True)
    assert sorted(legal) == ["legal", "legal2"]
    assert out.getvalue().count("(shown once)") == 4
    incident = Incident.objects.get()
    dues = [due for due in incident.obligations.filter(applies=True).values_list("due_at", flat=True) if due]
    assert dues and min(dues) > timezone.now()
    assert not incident.obligations.filter(status="overdue").exists()


def test_a_second_run_says_how_to_set_a_new_password():
    call_command("seed_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "python manage.py changepassword responder" in out.getvalue()
    assert "(shown once)" not in out.getvalue()
    assert Incident.objects.count() == 1
