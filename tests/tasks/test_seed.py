"""Demo data that shows an agent's day: tasks due and overdue, calls with text, a duplicate to merge."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from maklerwerk.contacts.models import Contact
from maklerwerk.core.models import Activity
from maklerwerk.tasks.models import Task

pytestmark = pytest.mark.django_db


def test_the_demo_shows_tasks_calls_with_text_and_a_typo_duplicate() -> None:
    for _ in range(2):  # idempotent
        call_command("seed_demo", "--contacts", "20", "--properties", "3", "--activities", "0", verbosity=0)
    assert Contact.objects.count() == 20
    assert Contact.objects.filter(last_name__in=["Wellmann", "Welmann"]).count() == 2
    tasks = Task.objects.filter(source="agent_day")
    assert tasks.count() == 6 and tasks.filter(priority="high").count() == 2
    assert tasks.exclude(contact=None).exists() and tasks.exclude(property=None).exists()
    calls = Activity.objects.filter(payload__demo="agent_day")
    assert calls.count() == 6 and all(a.body and a.contact_id and a.property_id for a in calls)
