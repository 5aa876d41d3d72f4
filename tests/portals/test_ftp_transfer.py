"""A property assigned to an OpenImmo FTP portal goes online, is updated and deleted, against a
real FTP server (pyftpdlib), with every step in the transfer log."""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from maklerwerk.portals import services
from maklerwerk.portals.models import Portal, PortalAssignment, TransferRun
from tests.portals.conftest import add_picture, make_listing, noisy_jpeg, openimmo_schema, xml_child

pytestmark = pytest.mark.django_db(transaction=True)


def make_portal(office: Any, admin: Any, ftp: dict[str, Any], **extra: Any) -> Portal:
    data = {
        "name": "immowelt",
        "key": "immowelt",
        "kind": "openimmo_ftp",
        "active": True,
        "host": ftp["host"],
        "port": ftp["port"],
        "username": ftp["user"],
        "password": ftp["password"],
        "folder": "import",
        "anbieternr": "K12345",
        "techn_email": "it@testbuero.example",
        **extra,
    }
    return services.portal_create(office=office, acting_user=admin, data=data)


def uploaded(ftp: dict[str, Any]) -> list[Path]:
    return sorted((ftp["root"] / "import").iterdir())


def package_xml(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as zf:
        xml_names = [n for n in zf.namelist() if n.endswith(".xml")]
        assert len(xml_names) == 1
        root = etree.fromstring(zf.read(xml_names[0]))
        for pfad in root.iter("pfad"):
            assert pfad.text in zf.namelist()
            assert pfad.text.isascii() and "/" not in pfad.text
    return root


def test_assign_change_withdraw_goes_online_updates_and_deletes(
    office, admin_user, agent, listing, ftp_server
):
    portal = make_portal(office, admin_user, ftp_server)
    services.property_portals_set(prop=listing, portal_ids=[portal.pk], acting_user=agent)

    assignment = PortalAssignment.objects.get(portal=portal, property=listing)
    assert assignment.state == "online" and assignment.online_since is not None
    files = uploaded(ftp_server)
    assert [f.suffix for f in files] == [".zip"]  # no .part left behind
    assert files[0].name.startswith("immowelt-K12345-")
    root = package_xml(files[0])
    assert xml_child(root, "uebertragung").get("umfang") == "TEIL"
    assert xml_child(root, "uebertragung").get("sendersoftware") == "Maklerwerk"
    imm = xml_child(root, "anbieter/immobilie")
    assert imm.findtext("verwaltung_techn/objektnr_extern") == "MW-0001"
    assert xml_child(imm, "verwaltung_techn/aktion").get("aktionart") is None  # new
    assert imm.findtext("verwaltung_objekt/objektadresse_freigeben") == "false"
    assert imm.findtext("preise/kaufpreis") == "350000"
    assert [a.get("gruppe") for a in imm.iter("anhang")] == ["TITELBILD", "GRUNDRISS"]

    # The price changes: the next transfer sends a CHANGE with the new price.
    listing.purchase_price = Decimal("339000")
    listing.save()
    run = services.transfer_start(portal=portal, full=False, acting_user=agent)
    run.refresh_from_db()
    assert run.state == "succeeded", run.message
    assert [e.action for e in run.entries.all()] == ["change"]
    changed = xml_child(package_xml(Path(run.package.path)), "anbieter/immobilie")
    assert xml_child(changed, "verwaltung_techn/aktion").get("aktionart") == "CHANGE"
    assert changed.findtext("preise/kaufpreis") == "339000"

    # Nothing changed: nothing is sent.
    quiet = services.transfer_start(portal=portal, full=False, acting_user=agent)
    quiet.refresh_from_db()
    assert quiet.state == "succeeded" and not quiet.package and quiet.message.startswith("Keine Änderungen")

    # Withdrawn: one DELETE that still carries what the schema requires.
    services.property_portals_set(prop=listing, portal_ids=[], acting_user=agent)
    assignment.refresh_from_db()
    assert assignment.state == "offline" and assignment.online_since is None
    last = TransferRun.objects.filter(portal=portal).first()
    deleted = package_xml(Path(last.package.path)).find("anbieter/immobilie")
    assert deleted.find("verwaltung_techn/aktion").get("aktionart") == "DELETE"
    assert deleted.find("objektkategorie") is not None and deleted.findtext("geo/plz") == "50667"
    assert deleted.find("kontaktperson/email_zentrale") is not None
    assert len(uploaded(ftp_server)) == 3  # new, change, delete
    runs = TransferRun.objects.filter(portal=portal).order_by("pk")
    actions = [e.action for r in runs for e in r.entries.exclude(action="unchanged")]
    assert actions == ["new", "change", "delete"]


def test_every_package_validates_against_the_openimmo_xsd(office, admin_user, agent, listing, ftp_server):
    schema = openimmo_schema()
    portal = make_portal(office, admin_user, ftp_server)
    rented = make_listing(
        office, agent, "MW-0002", marketing_type="miete_pacht", object_kind="haus", object_subtype="VILLA",
        purchase_price=None, cold_rent=Decimal("1800"), energy_certificate_type="", energy_carrier="",
        energy_value=None, energy_class="", condition="gepflegt", heating_type="zentral", year_built=1998,
    )  # fmt: skip
    services.property_portals_set(prop=listing, portal_ids=[portal.pk], acting_user=agent)
    services.property_portals_set(prop=rented, portal_ids=[portal.pk], acting_user=agent)
    listing.purchase_price = Decimal("1")
    listing.save()
    services.transfer_start(portal=portal, full=True, acting_user=agent)
    services.property_portals_set(prop=listing, portal_ids=[], acting_user=agent)
    packages = uploaded(ftp_server)
    assert len(packages) == 4
    for path in packages:
        root = package_xml(path)
        assert schema.validate(root), f"{path.name}: {schema.error_log}"


def test_wrong_password_fails_the_run_with_the_servers_answer_and_the_next_run_works(
    office, admin_user, agent, listing, ftp_server
):
    portal = make_portal(office, admin_user, ftp_server, password="falsch")
    services.property_portals_set(prop=listing, portal_ids=[portal.pk], acting_user=agent)
    run = TransferRun.objects.filter(portal=portal).first()
    assert run is not None and run.state == "failed"
    assert "FTP-Anmeldung abgelehnt: 530" in run.message
    assignment = PortalAssignment.objects.get(portal=portal, property=listing)
    assert assignment.state == "error" and "530" in assignment.last_error
    assert uploaded(ftp_server) == []

    services.portal_update(portal=portal, acting_user=admin_user, data={"password": "secret"})
    services.transfer_start(portal=portal, full=False, acting_user=agent)
    assignment.refresh_from_db()
    assert assignment.state == "online" and assignment.last_error == ""
    assert len(uploaded(ftp_server)) == 1


def test_missing_energy_carrier_is_refused_naming_the_field(office, admin_user, agent, listing, ftp_server):
    listing.energy_carrier = ""
    listing.save()
    portal = make_portal(office, admin_user, ftp_server)
    services.property_portals_set(prop=listing, portal_ids=[portal.pk], acting_user=agent)
    run = TransferRun.objects.filter(portal=portal).first()
    assert run is not None
    entry = run.entries.get()
    assert entry.action == "refused" and "Energieträger fehlt" in entry.hint and "GEG §87" in entry.hint
    assignment = PortalAssignment.objects.get(portal=portal, property=listing)
    assert assignment.state == "error" and "Energieträger" in assignment.last_error
    assert uploaded(ftp_server) == []


def test_contingent_exceeded_is_a_clear_hint(office, admin_user, agent, listing, ftp_server):
    second = make_listing(office, agent, "MW-0002")
    portal = make_portal(office, admin_user, ftp_server, contingent=1)
    services.property_portals_set(prop=listing, portal_ids=[portal.pk], acting_user=agent)
    services.property_portals_set(prop=second, portal_ids=[portal.pk], acting_user=agent)
    states = dict(PortalAssignment.objects.values_list("property__external_id", "state"))
    assert states == {"MW-0001": "online", "MW-0002": "error"}
    hint = PortalAssignment.objects.get(property=second).last_error
    assert hint == "Kontingent von 1 Objekten überschritten: nicht übertragen."


def test_large_pictures_are_scaled_to_the_portals_limit(office, admin_user, agent, listing, ftp_server):
    add_picture(listing, caption="Groß", data=noisy_jpeg(1600, 1200), name="groß.jpg")
    portal = make_portal(office, admin_user, ftp_server, picture_max_kb=100)
    services.property_portals_set(prop=listing, portal_ids=[portal.pk], acting_user=agent)
    with zipfile.ZipFile(uploaded(ftp_server)[0]) as zf:
        pictures = [i for i in zf.infolist() if i.filename.endswith(".jpg")]
        assert len(pictures) == 3
        assert all(i.file_size <= 100 * 1024 for i in pictures)
        assert "MW-0001_03.jpg" in zf.namelist()
