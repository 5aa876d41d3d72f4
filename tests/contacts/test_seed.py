"""Demo data: `seed_demo --contacts N` tops up with searchable contacts, relationships and activities."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from maklerwerk.accounts.models import User
from maklerwerk.contacts.models import Contact, Relationship
from maklerwerk.contacts.selectors import contact_list
from maklerwerk.core.models import Activity

pytestmark = pytest.mark.django_db


def test_it_seeds_searchable_contacts_and_tops_up_idempotently(settings: Any) -> None:
    call_command("seed_demo", "--contacts", "60", "--activities", "0", stdout=StringIO(), verbosity=0)
    demo = User.objects.get(username="demo")
    assert Contact.objects.filter(office=demo.office).count() == 60
    assert Relationship.objects.exists() and Activity.objects.exclude(contact=None).exists()
    someone = Contact.objects.filter(office=demo.office).order_by("pk")[7]
    found = contact_list(user=demo, search=someone.last_name[:4])
    assert someone in found
    first_phone = someone.phones.first()
    assert first_phone is not None
    phone = first_phone.value
    assert someone in contact_list(
        user=demo, search="0" + phone[3:]
    )  # national format finds the E.164 number
    call_command("seed_demo", "--contacts", "60", "--activities", "0", stdout=StringIO(), verbosity=0)
    assert Contact.objects.filter(office=demo.office).count() == 60
