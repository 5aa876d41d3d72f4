"""Five years from the end of the year the relationship ended, then deleted with an audit row
(§8 Abs. 4 GwG): time-machine runs of the nightly sweep across the end of the period."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from maklerwerk.core.models import ChangeLog
from maklerwerk.gwg import services
from maklerwerk.gwg.models import DeletionRecord, GwgCase, Identification, Party, SuspicionNote
from maklerwerk.gwg.retention import retention_sweep
from maklerwerk.privacy.services import retention_rule_set

pytestmark = pytest.mark.django_db(transaction=True)


def _close(case: Any, user: Any, ended: dt.date) -> None:
    with time_machine.travel(dt.datetime(ended.year, ended.month, ended.day, 12, tzinfo=dt.UTC)):
        GwgCase.objects.filter(pk=case.pk).update(opened_on=ended - dt.timedelta(days=30))
        case.refresh_from_db()
        services.case_close(case=case, acting_user=user, ended_on=ended)


def test_a_closed_case_is_kept_to_the_last_day_and_deleted_the_day_after(
    case: Any, admin_user: Any, admin_client: Any
) -> None:
    _close(case, admin_user, dt.date(2020, 6, 10))
    copy = Path(settings.MEDIA_ROOT) / str(Identification.objects.get(party__case=case).id_copy.name)
    ident_pk = Identification.objects.get(party__case=case).pk
    assert copy.exists()
    with time_machine.travel(dt.datetime(2025, 12, 31, 22, tzinfo=dt.UTC)):
        assert retention_sweep(today=dt.date(2025, 12, 31)) == []
    assert GwgCase.objects.filter(pk=case.pk).exists()
    with time_machine.travel(dt.datetime(2026, 1, 1, 3, tzinfo=dt.UTC)):
        done = retention_sweep(today=dt.date(2026, 1, 1))
    assert [d.case_number for d in done] == [case.pk]
    assert not GwgCase.objects.filter(pk=case.pk).exists()
    assert (
        not Party.objects.exists()
        and not Identification.objects.exists()
        and not SuspicionNote.objects.exists()
    )
    assert not copy.exists()
    ct = ContentType.objects.get_for_model(Identification)
    assert not ChangeLog.objects.filter(content_type=ct, object_id=str(ident_pk)).exists()
    record = DeletionRecord.objects.get()
    assert record.held_until == dt.date(2025, 12, 31) and record.ended_on == dt.date(2020, 6, 10)
    assert record.legal_basis == "GwG §8 Abs. 4"
    assert record.counts == {
        "parties": 3,
        "identifications": 1,
        "id_copies": 1,
        "beneficial_owners": 1,
        "risk_assessments": 1,
        "suspicion_notes": 1,
    }
    page = admin_client.get(reverse("gwg:list")).content.decode()
    assert (
        f"Fall #{case.pk} (Geschäftsbeziehung beendet 10.06.2020, aufbewahrt bis 31.12.2025) "
        "gelöscht am 01.01.2026" in page
    )
    # Nothing in the audit row names a person.
    assert "Käufer" not in str(record.counts) + record.legal_basis


def test_an_open_case_is_never_deleted_however_old(case: Any) -> None:
    GwgCase.objects.filter(pk=case.pk).update(opened_on=dt.date(2001, 1, 1))
    assert retention_sweep(today=dt.date(2040, 1, 1)) == []
    assert GwgCase.objects.filter(pk=case.pk).exists()


def test_the_period_is_the_offices_rule_from_the_privacy_rules(
    case: Any, admin_user: Any, office: Any
) -> None:
    _close(case, admin_user, dt.date(2020, 6, 10))
    retention_rule_set(
        office=office, kind="gwg", years=7, legal_basis="GwG §8 Abs. 4 (verlängert)", acting_user=admin_user
    )
    assert retention_sweep(today=dt.date(2026, 1, 1)) == []
    assert [d.legal_basis for d in retention_sweep(today=dt.date(2028, 1, 1))] == [
        "GwG §8 Abs. 4 (verlängert)"
    ]
