"""The office export contains everything: every model of the project that belongs to an office.

The walk fails when an app adds a model with an office (or one hanging off such a model) and neither
registers an export section for it nor lists it below, with its reason, as deliberately left out.
The real export of a seeded office (every section has a row, files on disk, a restricted property,
mail passwords) proves that what is registered also arrives in the ZIP a user downloads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from typing import Any

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.utils import timezone

from maklerwerk.core.export import EXPORT_SECTIONS, office_path
from tests.conftest import make_user, streamed

# Models of an office that the export leaves out on purpose, each with the reason.
LEFT_OUT = {
    "accounts.ApiToken": "login material of this installation; integrations get new tokens after a move",
    "accounts.RecoveryCode": "login material (hashed recovery codes); users set up two-factor login again",
    "accounts.User_groups": "Django's permission groups are not used (roles live on the user)",
    "accounts.User_user_permissions": "Django's per-user permissions are not used (roles live on the user)",
    "appointments.CalendarFeed": "login material: the secret of a personal iCal feed",
    "portals.Is24Connection": "login material: an agent's own IS24 access token (reconnect after a move)",
    "core.Job": "bookkeeping of background work (the export's own job among them), not office data",
    "duplicates.MatchProfile": "cache of normalised contact values; rebuilt from the contacts",
    "duplicates.MatchKey": "cache of blocking keys; rebuilt from the contacts",
    "duplicates.NameFrequency": "cache of name statistics; rebuilt from the contacts",
    "duplicates.DuplicatePair": "result of the last duplicate search; it runs again (decisions are kept)",
}


def _project_models() -> list[type[models.Model]]:
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_config.name.startswith("maklerwerk.")
    ]


def test_every_model_of_an_office_is_exported_or_left_out_with_a_reason() -> None:
    exported = {s.get_model()._meta.label for s in EXPORT_SECTIONS}
    missing, ownerless = [], []
    for model in _project_models():
        label = model._meta.label
        if label == "accounts.Office":
            continue  # the export's header
        if office_path(model) is None:
            ownerless.append(label)
        elif label not in exported and label not in LEFT_OUT:
            missing.append(label)
    assert not missing, f"models of an office missing from the export: {missing}"
    # A model that reaches no office would be skipped silently: none may exist.
    assert not ownerless, f"models that reach no office: {ownerless}"
    assert not exported & set(LEFT_OUT)
    assert set(LEFT_OUT) <= {m._meta.label for m in _project_models()}, "stale entries in LEFT_OUT"
    assert all(len(reason) > 20 for reason in LEFT_OUT.values())


def test_sections_come_in_the_order_a_re_import_needs() -> None:
    """A section refers only to sections before it (or to itself), so a re-import loads top to bottom."""
    position = {s.get_model()._meta.label: i for i, s in enumerate(EXPORT_SECTIONS)}
    for i, section in enumerate(EXPORT_SECTIONS):
        model = section.get_model()
        for field in model._meta.concrete_fields:
            if not field.is_relation or field.name in section.leave_out:
                continue
            target = field.related_model._meta.label  # type: ignore[union-attr]  # a relation
            if target in ("accounts.Office", "contenttypes.ContentType"):
                continue
            if target in LEFT_OUT:
                assert field.null, f"{section.key}.{field.name} needs {target}, which is not exported"
                continue
            assert position[target] <= i, f"{section.key}.{field.name} refers to the later {target}"


@pytest.fixture
def full_office(settings: Any) -> dict[str, Any]:
    """The demo office (seed_demo: contacts, properties with photos and documents, search profiles,
    templates, activities), topped up so that every export section has at least one row."""
    from maklerwerk.accounts.models import Office
    from maklerwerk.contacts.models import Contact, ContactFile, ContactTag, Tag
    from maklerwerk.core.models import Activity
    from maklerwerk.duplicates.models import DuplicateSettings, MergeRecord, NotDuplicate
    from maklerwerk.exposes.models import ExposeTemplate, Offer, OfferRecipient, PropertyExposeSettings
    from maklerwerk.imports.models import (
        CutoverPlan,
        FtpDrop,
        ImportChange,
        ImportMapping,
        ImportRecord,
        ImportRun,
    )
    from maklerwerk.inquiries import models as inq
    from maklerwerk.mailing.models import MailTemplate, OutgoingMail, SmtpSettings
    from maklerwerk.matching.models import AgentNotification, NewMatch, SearchProfile, SelfServiceLink
    from maklerwerk.properties.models import MatchSettings, Property, PropertyViewer
    from maklerwerk.sharing import models as sh
    from maklerwerk.tasks.models import Task

    call_command(
        "seed_demo", "--contacts", "4", "--properties", "2", "--search-profiles", "2", "--activities", "2",
        verbosity=0,
    )  # fmt: skip
    office = Office.objects.get(name="Musterimmobilien Rhein-Main GmbH")
    office.logo.save("logo.png", ContentFile(b"\x89PNG logo"), save=True)
    admin = make_user(office, "chefin", "admin", first_name="Clara", last_name="Chefin")
    agent = make_user(office, "kollege", "agent")
    a, b = Contact.objects.filter(office=office).order_by("pk")[:2]
    # A restricted property of another agent: an agent does not see it, the export has it all.
    prop = Property.objects.filter(office=office).order_by("pk").first()
    assert prop is not None
    prop.visibility = Property.Visibility.RESTRICTED
    prop.responsible_agent = admin
    prop.save()
    PropertyViewer.objects.create(property=prop, user=admin)
    ContactTag.objects.create(office=office, contact=a, tag=Tag.objects.filter(office=office)[0])
    ContactFile.objects.create(
        office=office, contact=a, file=ContentFile(b"%PDF Ausweis", name="ausweis.pdf"), name="Ausweis",
        size=12, content_type="application/pdf",
    )  # fmt: skip
    MatchSettings.objects.get_or_create(office=office)
    profile = SearchProfile.objects.filter(office=office).first()
    NewMatch.objects.get_or_create(office=office, property=prop, profile=profile)
    AgentNotification.objects.create(office=office, user=admin, contact=a, message="Neuer Treffer")
    SelfServiceLink.objects.create(
        office=office, contact=a, token_hash="h" * 64, expires_at=timezone.now() + dt.timedelta(days=3)
    )
    activity = Activity.objects.create(
        office=office, type="viewing", subject="Besichtigung zu zweit", contact=a
    )
    activity.further_contacts.add(b)
    DuplicateSettings.objects.get_or_create(office=office)
    NotDuplicate.objects.create(office=office, contact_a=a, contact_b=b, decided_by=admin)
    MergeRecord.objects.create(
        office=office, survivor_contact_id=a.pk, survivor_label=str(a), merged_contact_id=b.pk + 1000,
        merged_label="Anna Mustermann (Tippfehler)", merged_by=admin, merged_contact={"first_name": "Ana"},
    )  # fmt: skip
    sh.SharingSettings.objects.get_or_create(office=office)
    cloud = sh.DocumentCloud.objects.create(office=office, property=prop)
    folder = sh.CloudFolder.objects.create(office=office, cloud=cloud, name="Verträge")
    sh.CloudFile.objects.create(
        office=office,
        cloud=cloud,
        folder=folder,
        file=ContentFile(b"Kaufvertrag", name="vertrag.pdf"),
        name="V",
    )
    sh.PersonalFile.objects.create(
        office=office, cloud=cloud, contact=a, file=ContentFile(b"Finanzierung", name="bank.pdf"), name="B"
    )
    link = sh.ShareLink.objects.create(
        office=office, cloud=cloud, property=prop, contact=a, token_seed="seed", token_hash="t" * 64
    )
    sh.AccessDeactivation.objects.create(office=office, cloud=cloud, contact=b)
    sh.ConsentAcceptance.objects.create(office=office, link=link, contact=a, property=prop, text_version="1")
    sh.AccessEvent.objects.create(
        office=office, link=link, contact=a, property=prop, kind="view", file_source="cloud_file"
    )
    template = MailTemplate.objects.filter(office=office).first() or MailTemplate.objects.create(
        office=office, name="Angebot", body="Hallo"
    )
    mail = OutgoingMail.objects.create(office=office, contact=a, property=prop, to_email="a@example.org")
    smtp = SmtpSettings(user=admin, host="smtp.example.org", username="chefin")
    smtp.set_password("Sehr-Geheim-SMTP-42")
    smtp.save()
    expose_template = ExposeTemplate.objects.create(office=office, name="Standard")
    PropertyExposeSettings.objects.create(office=office, property=prop, template=expose_template)
    offer = Offer.objects.create(office=office, mail_template=template, subject="Angebot", body="x")
    OfferRecipient.objects.create(
        offer=offer, contact=a, property=prop, email="a@example.org", outgoing_mail=mail, activity=activity
    )
    Task.objects.create(office=office, title="Exposé nachfassen", contact=a, property=prop)
    mailbox = inq.Mailbox(office=office, name="Anfragen", host="imap.example.org", main_user=admin)
    mailbox.set_password("Postfach-Geheim-17")
    mailbox.save()
    inq.InquirySettings.objects.get_or_create(office=office)
    inq.InquiryRule.objects.create(office=office, name="Scout", source="immoscout24", property=prop)
    inq.PortalListing.objects.create(office=office, property=prop, source="immoscout24", portal_id="123")
    inquiry = inq.Inquiry.objects.create(
        office=office, mailbox=mailbox, property=prop, contact=a, expose_offer=offer, subject="Anfrage"
    )
    inq.InquiryStep.objects.create(inquiry=inquiry, kind="received", text="Eingegangen")
    inq.ProcessedMail.objects.create(office=office, mailbox=mailbox, folder="INBOX", uid=7, inquiry=inquiry)
    definition = inq.ProcessDefinition.objects.create(
        office=office, name="Begrüßung", trigger="contact_created"
    )
    inq.ProcessStep.objects.create(definition=definition, position=1, kind="wait")
    instance = inq.ProcessInstance.objects.create(office=office, definition=definition, contact=a)
    inq.ProcessStepRun.objects.create(instance=instance, position=1, kind="wait", result="ok")
    from maklerwerk.portals import models as portals

    portal = portals.Portal(office=office, name="immowelt", key="immowelt", host="ftp.example.org")
    portal.set_password("Portal-Geheim-23")
    portal.save()
    portals.PortalAssignment.objects.create(office=office, portal=portal, property=prop)
    from maklerwerk.mailsync import models as ms

    mail_account = ms.MailAccount(
        office=office, user=admin, email="chefin@example.org", host="imap.example.org",
        username="chefin", mailbox_key="imap.example.org|chefin",
    )  # fmt: skip
    mail_account.set_password("Postfach-Geheim-31")
    mail_account.save()
    ms.FolderState.objects.create(account=mail_account, folder="INBOX", uid_validity=1, last_uid=3)
    blob = ms.MailBlob(office=office, sha256="ab" * 32, size=3)
    blob.file.save("blob.bin", ContentFile(b"pdf"), save=False)
    blob.save()
    ms.ArchivedMail.objects.create(
        office=office, key="<m@example.org>", state="archived", account=mail_account, activity=activity
    )
    run = portals.TransferRun.objects.create(office=office, portal=portal)
    portals.TransferEntry.objects.create(run=run, property=prop, external_id=prop.external_id, action="new")
    from django.contrib.contenttypes.models import ContentType

    ImportRecord.objects.create(
        office=office, source_system="onoffice", kind="contacts", source_key="K-1",
        target_type=ContentType.objects.get_for_model(Contact), target_id=a.pk,
    )  # fmt: skip
    ImportMapping.objects.create(office=office, name="FLOWFACT Kontakte", columns={"Nachname": "last_name"})
    import_run = ImportRun.objects.create(
        office=office, created_by=admin, filename="kontakte.csv", columns={"Nachname": "last_name"},
        file=ContentFile(b"Nachname;Vorname\nMuster;Max\n", name="kontakte.csv"),
    )  # fmt: skip
    ImportChange.objects.create(
        office=office, run=import_run, target_type=ContentType.objects.get_for_model(Contact), target_id=a.pk,
        changes={"fields": [{"field": "city", "old": "Köln", "new": "Bonn"}]},
    )  # fmt: skip
    CutoverPlan.objects.create(
        office=office, leading={"contacts": {"system": "flowfact", "since": "2026-12-01"}}
    )
    ftp_drop = FtpDrop(office=office, host="ftp.example.de", username="altsystem", acting_user=admin)
    ftp_drop.set_password("geheim")
    ftp_drop.save()
    from maklerwerk.appointments import models as ap

    start = timezone.now() + dt.timedelta(days=2)
    slot = ap.ViewingSlot.objects.create(
        office=office, property=prop, agent=admin, starts_at=start, ends_at=start + dt.timedelta(minutes=30)
    )
    appointment = ap.Appointment.objects.create(
        office=office, property=prop, responsible=admin, starts_at=start, ends_at=slot.ends_at
    )
    appointment.contacts.add(a)
    appointment.users.add(admin)
    booking_link = ap.BookingLink.objects.create(
        office=office, property=prop, contact=a, token_hash="b" * 64, expires_at=slot.ends_at
    )
    ap.ViewingBooking.objects.create(
        office=office, slot=slot, contact=a, appointment=appointment, link=booking_link
    )
    from maklerwerk.tours import models as tm

    tour = tm.Tour.objects.create(office=office, property=prop, open_url="https://example.org/t")
    reg = tm.Registration.objects.create(
        office=office, tour=tour, name="Lea", email="l@x.de", email_key="l@x.de"
    )
    tm.Grant.objects.create(office=office, tour=tour, contact=a, registration=reg, token_hash="t" * 64)
    tm.Visit.objects.create(office=office, tour=tour, visit_key="v1", rooms={"wohnen": {"seconds": 3}})
    ap.AppointmentSettings.objects.create(office=office, privacy_text="Datenschutz")
    ap.ReminderClaim.objects.create(office=office, key="first:a1:s0:c1", appointment=appointment)
    ap.BookingConsent.objects.create(
        office=office, link=booking_link, contact=a, property=prop, text_version="v",
        cancellation_notice_sha256="c" * 64, accepted_text="Widerrufsbelehrung",
    )  # fmt: skip
    ap.AttendeeFeedback.objects.create(office=office, appointment=appointment, contact=a, feedback="Gut")
    from maklerwerk.gwg import files as gwg_files
    from maklerwerk.gwg import models as gw

    case = gw.GwgCase.objects.create(office=office, property=prop, property_label="Objekt", agent=admin)
    party = gw.Party.objects.create(office=office, case=case, contact=a, role="buyer", name="A")
    ident = gw.Identification.objects.create(
        office=office, party=party, first_names="A", last_name="B", birth_date=dt.date(1980, 1, 1),
        birth_place="Bonn", nationality="DE", address="Domstraße 5", id_type="id_card", id_number="L01X00T47",
        issuing_authority="Stadt Köln", valid_until=dt.date(2030, 1, 1), method="in_person",
        id_copy=gwg_files.store_encrypted(b"%PDF ausweis", folder="ids"), id_copy_type="application/pdf",
    )  # fmt: skip
    gw.BeneficialOwner.objects.create(office=office, party=party, name="C")
    gw.RiskAssessment.objects.create(
        office=office, case=case, pep=False, high_risk_country=False, cash=False, unusual_price=False,
        result="normal", reasoning="Bank",
    )  # fmt: skip
    gw.SuspicionNote.objects.create(office=office, case=case, facts="x", decision="open")
    gw.RiskAnalysis.objects.create(office=office, version=1, text="Analyse", review_due=dt.date(2030, 1, 1))
    gw.IdCopyView.objects.create(office=office, identification=ident, user=admin, purpose="view")
    gw.DeletionRecord.objects.create(
        office=office, case_number=99, ended_on=dt.date(2018, 1, 1), held_until=dt.date(2023, 12, 31),
        legal_basis="GwG §8 Abs. 4",
    )  # fmt: skip
    from maklerwerk.privacy import models as pv

    pv.RetentionRule.objects.create(office=office, kind="invoice", years=10, legal_basis="AO §147")
    pv.RetentionMark.objects.create(
        office=office,
        contact=a,
        section="files",
        object_id=1,
        kind="invoice",
        document_date=dt.date(2025, 6, 10),
    )
    pv.LegalHold.objects.create(office=office, contact=a, reason="Klage")
    pv.ErasureRequest.objects.create(office=office, contact=b, requested_by="B")
    pv.AccessLogEntry.objects.create(office=office, user=admin, contact_id=a.pk, action="data_export")
    pv.ConsentRecord.objects.create(
        office=office, contact=a, purpose="newsletter", status="granted", channel="form"
    )
    pv.SubjectRequest.objects.create(
        office=office, contact=a, kind="objection", requested_by="A", scope="all"
    )
    pv.PrivacySettings.objects.create(office=office, inactive_months=24)
    pv.InactiveProposal.objects.create(office=office, contact=b, contact_name="B")
    pv.ProcessingRegister.objects.create(office=office, edits={"dpo": "Datenschutz Nord"})
    from maklerwerk.davsync import models as dav

    account = dav.DavAccount(office=office, user=admin, url="https://dav.example.org/chefin/kontakte/")
    account.set_password("Adressbuch-Geheim-31")
    account.save()
    dav.ContactUid.objects.create(office=office, contact=a)
    dav.SyncFlag.objects.create(account=account, contact=a)
    dav.DavItem.objects.create(account=account, href="/chefin/kontakte/a.vcf", contact=a, was_linked=True)
    dav.SyncEvent.objects.create(account=account, message="Synchronisierung beendet: Nichts geändert")
    # Another office's records never appear.
    other = Office.objects.create(name="Fremdbüro AG")
    stranger = Contact.objects.create(office=other, last_name="Fremd")
    ContactFile.objects.create(
        office=other, contact=stranger, file=ContentFile(b"fremd", name="fremd.pdf"), name="F", size=5
    )
    return {"office": office, "admin": admin, "agent": agent, "property": prop, "contact": a}


def _export(client: Client) -> tuple[Any, zipfile.ZipFile]:
    from maklerwerk.core.models import Job

    assert client.post("/settings/export/", headers={"HX-Request": "true"}).status_code == 200
    job = Job.objects.filter(kind="core.data_export").latest("created_at")
    assert job.state == "succeeded", job.error
    download = client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200 and '.zip"' in download["Content-Disposition"]
    return job, zipfile.ZipFile(io.BytesIO(streamed(download)))


@pytest.mark.django_db(transaction=True)
def test_the_export_of_a_full_office_has_every_section_every_file_and_no_password(
    full_office: dict[str, Any],
) -> None:
    client = Client()
    client.force_login(full_office["admin"])
    job, zf = _export(client)
    data = json.loads(zf.read("data.json"))
    assert data["format"] == "maklerwerk-export" and data["version"] == 2
    assert data["office"]["name"] == "Musterimmobilien Rhein-Main GmbH"
    empty = [s.key for s in EXPORT_SECTIONS if not data[s.key]]
    assert not empty, f"sections without a row: {empty}"
    assert job.result["counts"] == {s.key: len(data[s.key]) for s in EXPORT_SECTIONS}
    assert job.message.endswith(f"Datensätze und {job.result['files']} Dateien exportiert")

    # The restricted property is in, with its photos and documents (an administrator's export).
    prop = full_office["property"]
    assert prop.pk in {p["id"] for p in data["properties"]}
    images = [i for i in data["property_images"] if i["property_id"] == prop.pk]
    assert images and all(i["file"] for i in images)
    # Settings and decisions that were left out before.
    assert data["not_duplicates"][0]["contact_a_id"] == full_office["contact"].pk
    assert data["process_steps"][0]["kind"] == "wait" and data["inquiry_rules"][0]["name"] == "Scout"
    assert data["import_records"][0]["target_type"] == "contacts.contact"  # portable, not an id
    assert {h["content_type"] for h in data["history"]} <= {
        f"{m._meta.app_label}.{m._meta.model_name}" for m in _project_models()
    }
    # Nothing of the other office.
    assert "Fremd" not in {c["last_name"] for c in data["contacts"]}

    # Every stored file is in the archive, byte for byte, and listed with its checksum.
    listing = json.loads(zf.read("files.json"))
    assert listing["missing"] == []
    names = {f["name"] for f in listing["files"]}
    referenced = {data["office"]["logo"]} | {
        row[field]
        for key, field in [
            ("contact_files", "file"),
            ("property_images", "file"),
            ("property_images", "thumbnail"),
            ("property_documents", "file"),
            ("cloud_files", "file"),
            ("personal_files", "file"),
            ("import_runs", "file"),
            ("mail_blobs", "file"),
            ("gwg_identifications", "id_copy"),
            ("gwg_parties", "transparency_extract"),
        ]
        for row in data[key]
        if row[field]
    }
    assert referenced == names
    for entry in listing["files"]:
        body = zf.read(f"files/{entry['name']}")
        with default_storage.open(entry["name"], "rb") as fh:
            assert body == fh.read()
        assert hashlib.sha256(body).hexdigest() == entry["sha256"] and len(body) == entry["size"]
    assert not any("fremd" in name for name in zf.namelist())

    # Mail passwords: never in the archive, not even encrypted; the rows say one was set.
    everything = b"".join(zf.read(name) for name in zf.namelist())
    assert b"Sehr-Geheim-SMTP-42" not in everything and b"Postfach-Geheim-17" not in everything
    assert b"Portal-Geheim-23" not in everything and b"Postfach-Geheim-31" not in everything
    assert b"Portal-Geheim-23" not in everything and b"Adressbuch-Geheim-31" not in everything
    assert b"password_encrypted" not in everything and b"pbkdf2_sha256" not in everything
    assert data["smtp_settings"][0]["password_set"] is True
    assert data["smtp_settings"][0]["host"] == "smtp.example.org"
    assert data["inquiry_mailboxes"][0]["password_set"] is True
    assert data["dav_accounts"][0]["password_set"] is True and "sync_token" not in data["dav_accounts"][0]


@pytest.mark.django_db(transaction=True)
def test_a_file_missing_on_disk_is_listed_and_the_export_still_succeeds(admin_user: Any, office: Any) -> None:
    from maklerwerk.contacts.models import Contact, ContactFile

    contact = Contact.objects.create(office=office, last_name="Weber")
    ContactFile.objects.create(office=office, contact=contact, file="contacts/verloren.pdf", name="V", size=1)
    client = Client()
    client.force_login(admin_user)
    job, zf = _export(client)
    assert json.loads(zf.read("files.json"))["missing"] == ["contacts/verloren.pdf"]
    assert json.loads(zf.read("data.json"))["contact_files"][0]["file"] == "contacts/verloren.pdf"
    progress = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "1 Datei fehlte auf dem Datenträger" in progress


@pytest.mark.django_db(transaction=True)
def test_only_administrators_export_the_office(
    agent: Any, backoffice_user: Any, readonly_user: Any, admin_user: Any
) -> None:
    from maklerwerk.core.models import Job

    for user in (agent, backoffice_user, readonly_user):
        client = Client()
        client.force_login(user)
        assert client.post("/settings/export/").status_code == 403
    assert not Job.objects.filter(kind="core.data_export").exists()
    admin = Client()
    admin.force_login(admin_user)
    job, _zf = _export(admin)
    client = Client()
    client.force_login(agent)
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 403
