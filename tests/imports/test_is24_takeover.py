"""Taking the office's ImmobilienScout24 listings over (against the IS24 stand-in): dry run, commit,
re-run, and the next transfer updates those listings by their Scout ids instead of listing twice."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from maklerwerk.imports.models import ImportRecord, ImportRun
from maklerwerk.inquiries.models import PortalListing
from maklerwerk.portals import services as portal_services
from maklerwerk.portals.models import PortalAssignment, TransferRun
from maklerwerk.properties.models import Property
from tests.portals.conftest import is24, is24_portal_data, make_listing

pytestmark = pytest.mark.django_db(transaction=True)
__all__ = ["is24"]  # the stand-in fixture

ADDRESS = {"street": "Rheinuferstraße", "houseNumber": "5", "postcode": "53111", "city": "Bonn"}
NOT_YET = {"energyCertificateAvailability": "NOT_AVAILABLE_YET"}


def _seed(is24: dict[str, Any]) -> list[str]:
    """Three listings the old system put on IS24: one of a property Maklerwerk has (Kennung MW-0001),
    two it has not (one online, one inactive). Their Scout ids."""
    app, user = is24["app"], is24["user"]
    ours = app.seed(user, "apartmentBuy", {
        "externalId": "MW-0001", "title": "Alte Anzeige der Wohnung", "address": ADDRESS,
        "showAddress": "false", "energyCertificate": NOT_YET, "price": {"value": 1.0, "currency": "EUR"},
        "livingSpace": 70.0, "numberOfRooms": 3.0, "courtage": {"hasCourtage": "YES", "courtage": "3,57 %"},
    })  # fmt: skip
    rent = app.seed(user, "apartmentRent", {
        "externalId": "ALT-17", "title": "Altbau mit Stuck", "address": ADDRESS,
        "descriptionNote": "Hohe Decken.<br>Dielenboden.", "showAddress": "true",
        "apartmentType": "ROOF_STOREY", "floor": 3, "energyCertificate": NOT_YET, "numberOfBedRooms": 2,
        "baseRent": 1150.0, "totalRent": 1400.0, "serviceCharge": 250.0, "deposit": "3450",
        "livingSpace": 85.5, "numberOfRooms": 3.0, "courtage": {"hasCourtage": "NO"},
    })  # fmt: skip
    house = app.seed(user, "houseBuy", {
        "externalId": "ALT-18", "title": "Reihenhaus am Park", "address": ADDRESS, "showAddress": "false",
        "energyCertificate": NOT_YET, "constructionYear": 1998,
        "price": {"value": 495000.0, "currency": "EUR"}, "livingSpace": 128.0, "plotArea": 240.0,
        "numberOfRooms": 5.0, "courtage": {"hasCourtage": "YES", "courtage": "3,57 % inkl. MwSt."},
    }, published=False)  # fmt: skip
    return [ours, rent, house]


def _take_over(client: Any, capture: Any, portal: Any) -> ImportRun:
    with capture(execute=True):
        response = client.post("/imports/", {"format": "is24", "portal": portal.pk})
    assert response.status_code == 302 and "?job=" in response["Location"]
    return ImportRun.objects.order_by("-pk").first()  # type: ignore[return-value]  # one was made


def test_is24_listings_are_taken_over_once_and_the_next_transfer_updates_them(
    office: Any,
    admin_user: Any,
    agent: Any,
    agent_client: Any,
    is24: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    office.email, office.phone = "info@testbuero.example", "+49 221 123456"
    office.save()
    own = make_listing(office, agent, external_id="MW-0001")
    ours, rent, house = _seed(is24)
    portal = portal_services.portal_create(office=office, acting_user=admin_user, data=is24_portal_data(is24))

    run = _take_over(agent_client, django_capture_on_commit_callbacks, portal)
    assert (run.source_format, run.state) == ("is24", "checked")
    counts = run.report["counts"]
    assert (counts["linked"], counts["created"], counts["failed"]) == (1, 2, 0), run.report["rows"]
    assert Property.objects.count() == 1 and not PortalAssignment.objects.exists()  # a dry run
    page = agent_client.get(f"/imports/{run.pk}/").content.decode()
    assert "1 mit einem vorhandenen Objekt verknüpft" in page and "2 neu" in page
    assert "MW-0001 · Alte Anzeige der Wohnung" in page

    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(f"/imports/{run.pk}/commit/")
    run.refresh_from_db()
    assert run.state == "committed" and run.report["counts"]["created"] == 2
    own.refresh_from_db()
    assert own.title == "Helle 3-Zimmer-Wohnung mit Balkon"  # linked, its data untouched
    flat = Property.objects.get(office=office, external_id="ALT-17")
    assert (flat.marketing_type, flat.object_subtype) == ("miete_pacht", "DACHGESCHOSS")
    assert flat.status == "active"  # online there: active here (it is already published)
    assert (flat.cold_rent, flat.living_area, flat.commission_free) == (Decimal(1150), Decimal("85.5"), True)
    assert flat.description == "Hohe Decken.\nDielenboden."
    townhouse = Property.objects.get(office=office, external_id="ALT-18")
    assert townhouse.status == "preparation"  # inactive there: not published here either
    assignments = PortalAssignment.objects.filter(portal=portal)
    scout_ids = dict(assignments.values_list("property_id", "portal_object_id"))
    assert scout_ids == {own.pk: ours, flat.pk: rent, townhouse.pk: house}
    assert PortalListing.objects.filter(source="immoscout24", portal_id=rent, property=flat).exists()
    assert ImportRecord.objects.get(source_system="is24", source_key=ours).status == "linked"

    again = _take_over(agent_client, django_capture_on_commit_callbacks, portal)
    assert again.report["counts"]["created"] == 0 and again.report["counts"]["unchanged"] == 3
    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(f"/imports/{again.pk}/commit/")
    again.refresh_from_db()
    assert (again.report["counts"]["created"], again.report["counts"]["unchanged"]) == (0, 3)
    assert Property.objects.count() == 3

    before = len(is24["app"].requests)
    transfer = portal_services.transfer_start(portal=portal, full=False, acting_user=agent)
    transfer = TransferRun.objects.get(pk=transfer.pk)
    assert transfer.state == "succeeded", transfer.message
    sent = [(r.method, r.path) for r in is24["app"].requests[before:] if "/attachment" not in r.path]
    puts = {path.rsplit("/", 1)[-1] for method, path in sent if method == "PUT"}
    assert puts == {ours, rent}  # the online ones, by their Scout ids, with Maklerwerk's data
    assert not [path for method, path in sent if method == "POST" and path.endswith("/realestate")]
    assert len(is24["app"].listings(is24["user"])) == 3  # never listed twice
    assert is24["app"].listings(is24["user"])[ours]["body"]["title"] == "Helle 3-Zimmer-Wohnung mit Balkon"


def test_undo_of_a_take_over_removes_the_new_properties_and_keeps_the_linked_one(
    office: Any,
    admin_user: Any,
    agent: Any,
    agent_client: Any,
    is24: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    from maklerwerk.imports import services

    own = make_listing(office, agent, external_id="MW-0001")
    _seed(is24)
    portal = portal_services.portal_create(office=office, acting_user=admin_user, data=is24_portal_data(is24))
    run = _take_over(agent_client, django_capture_on_commit_callbacks, portal)
    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(f"/imports/{run.pk}/commit/")
    run.refresh_from_db()
    assert services.run_undo(run=run, acting_user=admin_user) == {"removed": 2, "kept": 0, "reverted": 0}
    assert list(Property.objects.values_list("pk", flat=True)) == [own.pk]
    assert len(is24["app"].listings(is24["user"])) == 3  # nothing was deleted on IS24


def test_a_take_over_without_connection_is_refused_in_german(
    office: Any, admin_user: Any, agent_client: Any, is24: dict[str, Any]
) -> None:
    data = is24_portal_data(is24) | {"access_token": "", "access_secret": ""}
    portal = portal_services.portal_create(office=office, acting_user=admin_user, data=data)
    response = agent_client.post("/imports/", {"format": "is24", "portal": portal.pk}, follow=True)
    assert "ImmobilienScout24 ist nicht verbunden" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_the_command_line_takes_over_with_a_dry_run_first(
    office: Any, admin_user: Any, agent: Any, is24: dict[str, Any]
) -> None:
    import io

    from django.core.management import call_command

    make_listing(office, agent, external_id="MW-0001")
    _seed(is24)
    portal_services.portal_create(office=office, acting_user=admin_user, data=is24_portal_data(is24))
    out = io.StringIO()
    call_command("import_is24", stdout=out, verbosity=0)
    assert "Dry run" in out.getvalue() and "2 created" in out.getvalue() and "1 linked" in out.getvalue()
    assert Property.objects.count() == 1
    call_command("import_is24", "--commit", stdout=out, verbosity=0)
    call_command("import_is24", "--commit", stdout=out, verbosity=0)
    assert "0 created" in out.getvalue().splitlines()[-1] and Property.objects.count() == 3


def test_the_list_of_listings_is_read_page_by_page(is24: dict[str, Any]) -> None:
    from maklerwerk.integrations.is24.client import Credentials, Is24Client

    ids = [*_seed(is24), *_seed_more(is24)]
    client = Is24Client(Credentials(is24["url"], "maklerwerk-key", "maklerwerk-secret", is24["token"],
                                    is24["secret"]))  # fmt: skip
    found = list(client.realestates(page_size=2))
    assert [e["@id"] for e in found] == ids
    assert [e["state"] for e in found][:3] == ["ACTIVE", "ACTIVE", "INACTIVE"]
    pages = [r for r in is24["app"].requests if r.method == "GET" and r.path.endswith("/realestate/")]
    assert len(pages) == 3  # 5 listings, 2 a page
    kind, body = client.realestate(ids[1]) or ("", {})
    assert (kind, body["externalId"], body["realEstateState"]) == ("apartmentRent", "ALT-17", "ACTIVE")
    assert client.realestate("999") is None


def _seed_more(is24: dict[str, Any]) -> list[str]:
    body = {"title": "Ohne eigene Kennung", "address": ADDRESS, "showAddress": "false",
            "energyCertificate": NOT_YET, "baseRent": 700.0, "livingSpace": 50.0, "numberOfRooms": 2.0,
            "courtage": {"hasCourtage": "NO"}}  # fmt: skip
    return [is24["app"].seed(is24["user"], "apartmentRent", dict(body)) for _ in range(2)]
