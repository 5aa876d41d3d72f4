"""The rules of the GwG file: German document numbers, register numbers (python-stdnum), the rental
threshold, the risk result and its reasoning, suspicion decisions, the change history; and the case
that opens itself when a property is reserved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.history import history_for
from maklerwerk.gwg import services
from maklerwerk.gwg.models import GwgCase
from maklerwerk.gwg.validate import icao_check_digit
from maklerwerk.properties.services import property_update
from maklerwerk.tasks.models import Task
from tests.gwg.conftest import identify

pytestmark = pytest.mark.django_db


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_german_id_numbers_are_checked_and_kept_in_one_form(case: Any, admin_user: Any) -> None:
    party = case.parties.get(person_kind="natural", role="buyer")
    with pytest.raises(ValidationError) as exc:
        identify(party, admin_user, id_number="LOIXOOT47")  # letters O and I are never used
    assert "9 Zeichen" in _errors(exc)["id_number"][0]
    with pytest.raises(ValidationError) as exc:
        identify(party, admin_user, id_number=f"L01X00T47{(icao_check_digit('L01X00T47') + 1) % 10}")
    assert _errors(exc)["id_number"] == ["Die Prüfziffer der Ausweisnummer stimmt nicht. Bitte vergleichen."]
    ident = identify(party, admin_user, id_number=f"l01x 00t47{icao_check_digit('L01X00T47')}")
    assert ident.id_number == f"L01X00T47{icao_check_digit('L01X00T47')}"
    # Foreign documents: letters and digits.
    assert (
        identify(party, admin_user, nationality="FR", id_type="passport", id_number="19AB12345").nationality
        == "FR"
    )


def test_an_expired_document_and_a_missing_nationality_are_refused_and_nothing_changes(
    case: Any, admin_user: Any
) -> None:
    party = case.parties.get(person_kind="natural", role="buyer")
    with pytest.raises(ValidationError) as exc:
        identify(party, admin_user, valid_until=timezone.localdate() - dt.timedelta(days=1), nationality="XX")
    assert _errors(exc)["nationality"] == ["Bitte die Staatsangehörigkeit wählen."]
    party.identification.refresh_from_db()
    assert party.identification.nationality == "DE"
    with pytest.raises(ValidationError) as exc:
        identify(party, admin_user, valid_until=timezone.localdate() - dt.timedelta(days=1))
    assert _errors(exc)["valid_until"] == ["Das Dokument war am Tag der Identifizierung bereits abgelaufen."]


def test_every_change_of_the_identification_is_in_the_history(case: Any, admin_user: Any) -> None:
    party = case.parties.get(person_kind="natural", role="buyer")
    identify(party, admin_user, address="Ringstraße 1, 50674 Köln")
    rows = list(history_for(party.identification))
    changed = {c["field"]: (c["old"], c["new"]) for c in rows[0].changes}
    assert changed["address"] == ("Domstraße 5, 50667 Köln", "Ringstraße 1, 50674 Köln")
    assert rows[0].user == admin_user
    assert [r.action for r in rows][-1] == "create"


def test_register_numbers_are_checked_with_python_stdnum(case: Any, admin_user: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.party_add(
            case=case,
            acting_user=admin_user,
            role="buyer",
            name="X GmbH",
            person_kind="legal",
            register_number="Köln HRC 99",
        )
    assert "keine gültige deutsche Registernummer" in _errors(exc)["register_number"][0]
    party = services.party_add(
        case=case,
        acting_user=admin_user,
        role="buyer",
        name="Y GmbH",
        person_kind="legal",
        register_number="  Köln   HRB 4711 ",
    )
    assert party.register_number == "Köln HRB 4711"


def test_a_rental_below_the_threshold_is_no_case(office: Any, admin_user: Any) -> None:
    with pytest.raises(ApplicationError, match=r"10\.000 EUR"):
        services.case_open(
            office=office, acting_user=admin_user, kind="rental", monthly_rent=Decimal("9999.99")
        )
    case = services.case_open(
        office=office, acting_user=admin_user, kind="rental", monthly_rent=Decimal("10000")
    )
    assert case.kind == "rental"


def test_the_risk_result_follows_the_factors_and_needs_a_reasoning(case: Any, admin_user: Any) -> None:
    base: dict[str, Any] = {"pep": False, "high_risk_country": False, "cash": False, "unusual_price": False}
    with pytest.raises(ValidationError) as exc:
        services.risk_assess(case=case, acting_user=admin_user, **base, result="normal", reasoning=" ")
    assert _errors(exc)["reasoning"] == ["Bitte das Ergebnis begründen."]
    with pytest.raises(ValidationError) as exc:
        services.risk_assess(
            case=case, acting_user=admin_user, **{**base, "pep": True}, result="normal", reasoning="x"
        )
    assert "§15 Abs. 3 GwG" in _errors(exc)["result"][0]
    with pytest.raises(ValidationError) as exc:
        services.risk_assess(
            case=case, acting_user=admin_user, **{**base, "pep": True}, result="enhanced", reasoning="x"
        )
    assert "Mittelherkunft" in _errors(exc)["source_of_funds"][0]
    risk = services.risk_assess(
        case=case,
        acting_user=admin_user,
        **{**base, "pep": True},
        result="enhanced",
        reasoning="Bürgermeisterin",
        source_of_funds="Erbschaft, Nachlassgericht Köln",
    )
    assert risk.result == "enhanced"
    case.refresh_from_db()
    assert case.risk.reasoning == "Bürgermeisterin"


def test_a_decision_on_a_suspicion_needs_its_reasons(case: Any, admin_user: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.suspicion_note_add(case=case, acting_user=admin_user, facts="Bar", decision="reported")
    assert set(_errors(exc)) == {"reasons", "reported_on"}


def test_reserving_a_property_opens_the_case_with_its_parties_and_tasks_the_agent(
    villa: Any, seller: Any, buyer: Any, admin_user: Any, agent: Any
) -> None:
    property_update(prop=villa, acting_user=admin_user, data={"status": "reserved"})
    case = GwgCase.objects.get(property_id=villa.pk)
    assert case.origin == "reserved" and case.price == Decimal("980000") and case.agent == agent
    assert sorted((p.role, p.name) for p in case.parties.all()) == [
        ("buyer", "Berta Käufer"),
        ("seller", "Sven Verkäufer"),
    ]
    task = Task.objects.get(source="gwg")
    assert task.assignee == agent and task.property_id == villa.pk and task.contact_id is None
    assert task.title == "GwG: Käufer und Verkäufer von K-100 identifizieren (reserviert)"
    # Saving again changes nothing; a second reservation does not open a second case.
    property_update(prop=villa, acting_user=admin_user, data={"title": "Villa Lindenallee 3"})
    assert GwgCase.objects.count() == 1 and Task.objects.filter(source="gwg").count() == 1


def test_a_risk_analysis_is_versioned_and_its_review_is_reminded(office: Any, admin_user: Any) -> None:
    from maklerwerk.gwg.reminders import risk_analysis_reminders

    today = timezone.localdate()
    first = services.risk_analysis_save(
        office=office, acting_user=admin_user, text="v1", review_due=today + dt.timedelta(days=10)
    )
    second = services.risk_analysis_save(
        office=office, acting_user=admin_user, text="v2", review_due=today + dt.timedelta(days=20)
    )
    assert (first.version, second.version) == (1, 2)
    with pytest.raises(ValidationError):
        services.risk_analysis_save(office=office, acting_user=admin_user, text="v3", review_due=today)
    assert risk_analysis_reminders() == 1
    assert risk_analysis_reminders() == 0
    task = Task.objects.get(source="gwg")
    assert task.assignee == admin_user and "Risikoanalyse" in task.title
