"""The whole flow against the real Dovecot (IMAP) and a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.test import Client

from maklerwerk.contacts.models import Contact
from maklerwerk.core.models import Activity
from maklerwerk.inquiries.handler import fetch_all, mailbox_fetch
from maklerwerk.inquiries.models import Inquiry, InquiryRule, Mailbox, ProcessedMail
from tests.inquiries.conftest import (
    contact,
    deliver,
    fixture_mail,
    free_port,
    links_in,
    pdfs_of,
    text_of,
    to_addr,
)

pytestmark = pytest.mark.django_db


def _by_email(email: str) -> Inquiry:
    return Inquiry.objects.get(email=email)


def test_the_whole_flow_from_imap_to_contact_and_expose(
    office: Any, agent: Any, mailbox: Mailbox, properties: dict[str, Any], smtp_sink: Any, imap_account: Any
) -> None:
    """GIVEN portal mails of every format in a real IMAP inbox and one sender who is a known contact
    WHEN one fetch pass runs and the new prospect confirms via the link
    THEN the known contact gets the exposé at once, new prospects get a double-opt-in mail,
    the unknown mail is kept as "nicht erkannt", and confirming creates the contact and sends the exposé."""
    known = contact(
        office, first_name="Jonas", last_name="Weber", emails=[{"value": "Jonas.Weber@example.com"}]
    )
    deliver(
        imap_account,
        fixture_mail("immoscout24_kontaktanfrage.eml"),
        fixture_mail("immowelt_html_only.eml"),
        fixture_mail("kleinanzeigen_anfrage.eml"),
        fixture_mail("openimmo_feedback_attachment.eml"),
        fixture_mail("newsletter_unrecognized.eml"),
    )
    [result] = fetch_all()
    assert (result.fetched, result.taken_in, result.error) == (5, 5, "")
    mailbox.refresh_from_db()
    assert mailbox.last_status == "ok"

    known_inquiry = _by_email("jonas.weber@example.com")
    assert known_inquiry.status == "completed"
    assert known_inquiry.contact == known
    assert known_inquiry.property == properties["MW-1003"]
    assert Activity.objects.filter(contact=known, property=properties["MW-1003"], type="expose_sent").exists()

    for email in (
        "sabine.krueger@example.org",
        "miriam.yilmaz@example.org",
        "interessent-7f3k2m9x@mail.kleinanzeigen.de",
    ):
        assert _by_email(email).status == "waiting_for_confirmation", email
    unknown = Inquiry.objects.get(status="unrecognized")
    assert unknown.subject == "Marktbericht März: Zinsen leicht gesunken"
    assert unknown.raw  # kept for manual handling

    mails = {to_addr(m): m for m in smtp_sink.parsed()}
    assert set(mails) == {
        "jonas.weber@example.com",
        "sabine.krueger@example.org",
        "miriam.yilmaz@example.org",
        "interessent-7f3k2m9x@mail.kleinanzeigen.de",
    }
    # The known contact's exposé: the office's template "Exposé-Versand" with the exposé PDF attached.
    known_mail = mails["jonas.weber@example.com"]
    assert known_mail["Subject"] == "Ihr Exposé: Gepflegte 2-Zimmer-Wohnung (MW-1003)"
    assert "Im Anhang finden Sie das ausführliche Exposé" in text_of(known_mail)
    [pdf] = pdfs_of(known_mail)
    assert pdf.startswith(b"%PDF")
    confirmation = mails["sabine.krueger@example.org"]
    assert confirmation["Subject"] == "Bitte bestätigen Sie Ihre Anfrage: Helle 3-Zimmer-Wohnung mit Balkon"
    body = text_of(confirmation)
    # The template "Anfrage-Bestätigung (Double-Opt-in)", with the link in {{ links.bestaetigung }}.
    assert body.startswith("Sehr geehrte Frau Krüger,")
    assert "vielen Dank für Ihre Anfrage zu „Helle 3-Zimmer-Wohnung mit Balkon“ (MW-1001)." in body
    assert "Bitte bestätigen Sie Ihre E-Mail-Adresse und ergänzen Sie Ihre Angaben über diesen Link:" in body
    assert confirmation["Auto-Submitted"] == "auto-generated"
    assert pdfs_of(confirmation) == []
    [link] = links_in(body)

    page = Client().get(link[link.index("/inquiries/") :])
    assert page.status_code == 200
    assert "Anfrage bestätigen" in page.content.decode()
    response = Client().post(
        link[link.index("/inquiries/") :],
        {
            "salutation": "frau", "first_name": "Sabine", "last_name": "Krüger", "street": "Venloer Straße",
            "house_number": "212a", "postal_code": "50823", "city": "Köln", "phone": "0221 4711230",
            "privacy": "on",
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert "Vielen Dank für Ihre Bestätigung!" in response.content.decode()
    inquiry = _by_email("sabine.krueger@example.org")
    assert inquiry.status == "completed"
    created = inquiry.contact
    assert created is not None and (created.first_name, created.last_name, created.city) == (
        "Sabine",
        "Krüger",
        "Köln",
    )
    assert created.source == "portal"
    assert created.responsible_agent == agent
    expose = [
        m
        for m in smtp_sink.parsed()
        if to_addr(m) == "sabine.krueger@example.org" and "Exposé" in m["Subject"]
    ]
    assert len(expose) == 1
    assert expose[0]["Subject"] == "Ihr Exposé: Helle 3-Zimmer-Wohnung mit Balkon (MW-1001)"
    assert text_of(expose[0]).startswith("Sehr geehrte Frau Krüger,")
    [pdf] = pdfs_of(expose[0])
    assert pdf.startswith(b"%PDF")
    assert (
        Activity.objects.filter(contact=created, property=properties["MW-1001"], type="expose_sent").count()
        == 1
    )
    from maklerwerk.properties.models import PropertyContact

    prospect = PropertyContact.objects.get(contact=created, property=properties["MW-1001"], role="prospect")
    assert prospect.interest_status == "expose_sent"
    kinds = list(inquiry.steps.values_list("kind", flat=True))
    assert kinds[:2] == ["received", "property"]
    assert {"confirmation_mail", "confirmed", "contact_created", "expose"} <= set(kinds)

    # The server-side action ran: nothing is left unprocessed, a second pass takes in nothing.
    [again] = fetch_all()
    assert (again.fetched, again.taken_in) == (0, 0)
    assert Inquiry.objects.count() == 5


def test_the_same_message_twice_gives_one_inquiry_one_contact_one_expose(
    office: Any, mailbox: Mailbox, properties: dict[str, Any], smtp_sink: Any, imap_account: Any
) -> None:
    contact(office, last_name="Weber", emails=[{"value": "jonas.weber@example.com"}])
    raw = fixture_mail("immowelt_html_only.eml")
    deliver(
        imap_account, raw, b"Received: from relay2.example\r\n" + raw
    )  # delivered twice, other trace header
    [result] = fetch_all()
    assert (result.fetched, result.taken_in, result.already_known) == (2, 1, 1)
    assert Inquiry.objects.count() == 1
    assert len(smtp_sink.messages) == 1


def test_two_workers_at_once_take_a_message_in_once(
    office: Any, agent: Any, mailbox: Mailbox, properties: dict[str, Any], smtp_sink: Any, imap_account: Any
) -> None:
    from maklerwerk.inquiries.services import inquiry_automate, mail_intake

    raw = fixture_mail("immoscout24_kontaktanfrage.eml")
    results: list[Any] = []

    def worker() -> None:
        results.append(mail_intake(mailbox=mailbox, folder="INBOX", uid=1, uid_validity=1, raw=raw))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    # SQLite test databases are in-memory per connection in threads; run sequentially there.
    for t in threads:
        t.run()
    taken = [r for r in results if r is not None]
    assert len(taken) == 1
    assert [inquiry_automate(inquiry_id=taken[0].inquiry_id).status for _ in range(2)] == [
        "waiting_for_confirmation"
    ] * 2
    assert len(smtp_sink.messages) == 1


def test_a_failing_inquiry_holds_up_nothing_and_is_resumed(
    office: Any,
    mailbox: Mailbox,
    properties: dict[str, Any],
    smtp_sink: Any,
    imap_account: Any,
    monkeypatch: Any,
) -> None:
    """GIVEN the automation of the first inquiry crashes WHEN the pass runs THEN both mails are taken
    in and flagged, the other inquiry is automated in its own job, the failed job says why, and the
    pass's housekeeping starts the failed one again, which then finishes, once."""
    from maklerwerk.core.models import Job
    from maklerwerk.inquiries import automation

    deliver(
        imap_account, fixture_mail("immoscout24_kontaktanfrage.eml"), fixture_mail("immowelt_html_only.eml")
    )
    real = automation._decide
    calls = {"n": 0}

    def crash_once(inquiry: Inquiry) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("Stromausfall")
        return real(inquiry)

    monkeypatch.setattr(automation, "_decide", crash_once)
    [result] = fetch_all()
    assert (result.taken_in, result.failed, result.error) == (2, 0, "")
    jobs = Job.objects.filter(kind="inquiries.automate").order_by("created_at")
    assert [j.state for j in jobs] == ["failed", "succeeded", "succeeded"]
    assert jobs[0].message == "Stromausfall"
    statuses = dict(Inquiry.objects.values_list("email", "status"))
    assert statuses == {
        "jonas.weber@example.com": "waiting_for_confirmation",
        "sabine.krueger@example.org": "waiting_for_confirmation",
    }
    fetch_all()
    assert Inquiry.objects.count() == 2
    assert len(smtp_sink.messages) == 2


def test_a_probable_duplicate_stops_and_creates_a_task(
    office: Any, agent: Any, mailbox: Mailbox, properties: dict[str, Any], smtp_sink: Any, imap_account: Any
) -> None:
    from maklerwerk.inquiries.services import settings_for

    cfg = settings_for(office)
    cfg.double_opt_in = False
    cfg.save()
    existing = contact(
        office, first_name="Sabine", last_name="Krüger", street="Venloer Straße", house_number="212a",
        postal_code="50823", city="Köln", phones=[{"value": "0221 4711230"}],
        emails=[{"value": "s.k@example.net"}],
    )  # fmt: skip
    deliver(imap_account, fixture_mail("immoscout24_kontaktanfrage.eml"))
    fetch_all()
    inquiry = Inquiry.objects.get()
    assert inquiry.status == "aborted"
    assert inquiry.reason.startswith("Wahrscheinliche Dublette von Sabine Krüger")
    assert inquiry.duplicate_of == existing
    assert Contact.objects.filter(office=office).count() == 1
    from maklerwerk.tasks.models import Task

    task = Task.objects.get(office=office)
    assert task.assignee == agent and task.contact_id == existing.pk
    assert task.link_url == f"/inquiries/{inquiry.pk}/"
    assert smtp_sink.messages == []


def test_exceptions_unknown_and_inactive_properties(
    office: Any, agent: Any, mailbox: Mailbox, properties: dict[str, Any], smtp_sink: Any, imap_account: Any
) -> None:
    InquiryRule.objects.create(
        office=office, name="Kleinanzeigen manuell", source="kleinanzeigen", action="no_automation"
    )
    InquiryRule.objects.create(
        office=office, name="Häuser nur Adresse", object_kind="haus", action="address_only"
    )
    properties["MW-1003"].status = "reserved"
    properties["MW-1003"].save()
    unknown = (
        fixture_mail("immoscout24_kontaktanfrage.eml")
        .replace(b"MW-1001", b"MW-9999")
        .replace(b"151234567", b"999999999")
    )
    deliver(
        imap_account,
        fixture_mail("kleinanzeigen_anfrage.eml"),
        fixture_mail("immoscout24_multipart.eml"),
        fixture_mail("immowelt_html_only.eml"),
        unknown,
    )
    fetch_all()
    by_email = {i.email: i for i in Inquiry.objects.all()}
    ka = by_email["interessent-7f3k2m9x@mail.kleinanzeigen.de"]
    assert (ka.status, ka.reason) == (
        "new",
        "Ausnahme „Kleinanzeigen manuell“: keine Automatik – bitte manuell bearbeiten.",
    )
    house = by_email["joerg.weissmann@example.net"]
    assert house.status == "address_only" and house.contact is not None
    assert by_email["jonas.weber@example.com"].status == "ignored"
    assert "nicht in aktiver Vermarktung" in by_email["jonas.weber@example.com"].reason
    assert by_email["sabine.krueger@example.org"].reason == "Objekt unbekannt (Kennung/Portal-ID: MW-9999)."
    assert smtp_sink.messages == []

    # Each stop is written down where the agent looks: the step list (ok or not) and, once the
    # property is known, the property's activities.
    def steps(inquiry: Inquiry) -> list[tuple[str, str, bool]]:
        return list(inquiry.steps.order_by("pk").values_list("kind", "text", "ok"))

    assert steps(ka)[-1] == ("rule", ka.reason, True)
    assert [kind for kind, _text, _ok in steps(house)] == ["received", "property", "contact_created"]
    inactive = by_email["jonas.weber@example.com"]
    assert steps(inactive)[-1] == ("property", inactive.reason, False)
    assert Activity.objects.filter(
        property=properties["MW-1003"], type="inquiry", subject=inactive.reason
    ).exists()
    unknown_inquiry = by_email["sabine.krueger@example.org"]
    assert steps(unknown_inquiry)[-1] == ("property", unknown_inquiry.reason, False)


def test_bad_mailboxes_get_a_clear_status_and_others_still_run(
    office: Any, agent: Any, mailbox: Mailbox, properties: dict[str, Any], smtp_sink: Any, imap_account: Any
) -> None:
    from maklerwerk.inquiries.services import mailbox_create

    wrong = mailbox_create(
        office=office, acting_user=agent,
        data={"name": "Falsches Passwort", "host": "127.0.0.1", "port": imap_account["port"],
              "security": "none", "username": imap_account["username"], "password": "falsch"},
    )  # fmt: skip
    down = mailbox_create(
        office=office, acting_user=agent,
        data={"name": "Server aus", "host": "127.0.0.1", "port": free_port(), "security": "none",
              "username": "x", "password": "y"},
    )  # fmt: skip
    deliver(imap_account, fixture_mail("immowelt_html_only.eml"), fixture_mail("malformed_mime.eml"))
    results = {r.mailbox_id: r for r in fetch_all()}
    wrong.refresh_from_db()
    down.refresh_from_db()
    assert (wrong.last_status, wrong.last_error) == (
        "error",
        "Anmeldung fehlgeschlagen: Benutzername oder Passwort ist falsch.",
    )
    assert down.last_status == "error" and "nicht erreichbar" in down.last_error
    assert results[mailbox.pk].taken_in == 2
    assert Inquiry.objects.get(message_id="<broken.0005@portal.example>").status == "unrecognized"
    assert ProcessedMail.objects.filter(mailbox=mailbox).count() == 2


def test_fetch_one_mailbox_by_hand(
    office: Any, mailbox: Mailbox, properties: dict[str, Any], imap_account: Any
) -> None:
    from io import StringIO

    from django.core.management import call_command

    deliver(imap_account, fixture_mail("xxe_feedback.eml"), fixture_mail("billion_laughs_feedback.eml"))
    out = StringIO()
    call_command("fetch_inquiries", stdout=out)
    assert "Anfragen: 2 abgerufen, 2 neu übernommen, 0 bereits bekannt, 0 fehlgeschlagen" in out.getvalue()
    assert set(Inquiry.objects.values_list("status", flat=True)) == {"unrecognized"}
    assert all("XXE" in i.reason for i in Inquiry.objects.all())
    assert mailbox_fetch(mailbox).fetched == 0


def test_a_mailbox_on_an_umlaut_folder_runs_beside_a_broken_one(
    office: Any, agent: Any, properties: dict[str, Any], smtp_sink: Any, dovecot: Any
) -> None:
    """GIVEN a mailbox reading "Anfragen/Entwürfe" and, before it, one whose server is down WHEN the
    pass runs THEN the broken one shows its German reason and the other takes its mail in."""
    from maklerwerk.inquiries.services import mailbox_create
    from maklerwerk.integrations.imap.client import ImapClient
    from tests.inquiries.conftest import imap_settings_for

    account = dovecot.add_user()
    with ImapClient(imap_settings_for(account)) as imap:
        imap.create_folder("Anfragen/Entwürfe")
        imap.append(fixture_mail("kleinanzeigen_anfrage.eml"), "Anfragen/Entwürfe")
    down = mailbox_create(
        office=office, acting_user=agent,
        data={"name": "Altes Postfach", "host": "127.0.0.1", "port": free_port(), "security": "none",
              "username": "x", "password": "y"},
    )  # fmt: skip
    drafts = mailbox_create(
        office=office, acting_user=agent,
        data={"name": "Entwürfe", "host": account["host"], "port": account["port"], "security": "none",
              "username": account["username"], "password": account["password"],
              "folder": "Anfragen/Entwürfe"},
    )  # fmt: skip
    results = {r.mailbox_id: r for r in fetch_all()}
    down.refresh_from_db()
    drafts.refresh_from_db()
    assert down.last_status == "error"
    assert down.last_error.startswith("Server 127.0.0.1:") and "nicht erreichbar" in down.last_error
    assert (drafts.last_status, drafts.last_error) == ("ok", "")
    assert results[drafts.pk].taken_in == 1
    inquiry = Inquiry.objects.get(mailbox=drafts)
    assert inquiry.status == "waiting_for_confirmation"
    assert [to_addr(m) for m in smtp_sink.parsed()] == ["interessent-7f3k2m9x@mail.kleinanzeigen.de"]


def test_the_mail_is_taken_in_and_flagged_before_any_automation_runs(
    office: Any,
    mailbox: Mailbox,
    properties: dict[str, Any],
    smtp_sink: Any,
    imap_account: Any,
    monkeypatch: Any,
) -> None:
    """Automation runs after the IMAP session of the pass is done: by then every mail of the pass is
    an inquiry and flagged on the server, however long one inquiry's automation takes."""
    from maklerwerk.inquiries import automation
    from maklerwerk.inquiries import tasks as inquiry_tasks
    from maklerwerk.integrations.imap.client import check_connection
    from tests.inquiries.conftest import imap_settings_for

    deliver(
        imap_account, fixture_mail("immoscout24_kontaktanfrage.eml"), fixture_mail("immowelt_html_only.eml")
    )
    seen: list[tuple[int, int]] = []
    real = automation.inquiry_process

    def observe(*, inquiry_id: int) -> Inquiry:
        seen.append((check_connection(imap_settings_for(imap_account)), Inquiry.objects.count()))
        return real(inquiry_id=inquiry_id)

    monkeypatch.setattr(inquiry_tasks, "inquiry_process", observe)
    fetch_all()
    assert seen == [(0, 2), (0, 2)]  # nothing left unflagged, both inquiries stored
    assert set(Inquiry.objects.values_list("status", flat=True)) == {"waiting_for_confirmation"}
