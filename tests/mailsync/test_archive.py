"""The archive against a real Dovecot: every sync runs three times; the 2nd and 3rd change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from maklerwerk.core.models import Activity
from maklerwerk.integrations.imap.client import ImapClient
from maklerwerk.mailsync.models import ArchivedMail, FolderState, MailBlob
from maklerwerk.mailsync.sync import SyncResult, account_sync
from tests.conftest import make_user
from tests.mailsync.conftest import connect, imap_for, make_mail, person, put

pytestmark = pytest.mark.django_db


def three_times(account: Any) -> list[SyncResult]:
    """Sync three times; the second and third runs must archive nothing and change nothing."""
    first = account_sync(account)
    state = (Activity.objects.count(), ArchivedMail.objects.count(), MailBlob.objects.count())
    again = [account_sync(account), account_sync(account)]
    for r in again:
        assert (r.archived, r.skipped, r.failed, r.error) == (0, 0, 0, ""), r.as_dict()
    assert (Activity.objects.count(), ArchivedMail.objects.count(), MailBlob.objects.count()) == state
    return [first, *again]


def mail_activities() -> Any:
    return Activity.objects.filter(type__in=[Activity.Type.EMAIL_RECEIVED, Activity.Type.EMAIL_SENT])


def test_a_mail_with_a_known_contact_becomes_one_activity_private_mail_never(
    office: Any, agent: Any, new_mailbox: Any
) -> None:
    box = new_mailbox()
    kunde = person(office, "kunde@example.org")
    partner = person(office, "partner@example.org", "Groß")
    put(box, make_mail(cc="Partner <Partner@Example.org>"))
    put(box, make_mail(sender="Oma <oma@familie.example>", subject="Kuchen am Sonntag"))
    account = connect(agent, box)
    first, *_ = three_times(account)
    assert (first.archived, first.skipped) == (1, 1)
    activity = mail_activities().get()
    assert activity.type == Activity.Type.EMAIL_RECEIVED
    assert activity.subject == "Besichtigung am Freitag"
    assert activity.contact_id == kunde.pk
    assert list(activity.further_contacts.values_list("pk", flat=True)) == [partner.pk]
    assert "Freitag um 10 Uhr" in activity.body
    assert not ArchivedMail.objects.filter(subject="Kuchen am Sonntag").exists()  # nothing of private mail
    account.refresh_from_db()
    assert account.last_status == "ok" and account.last_summary.startswith("0 archiviert")


def test_the_same_mail_in_inbox_sent_and_three_mailboxes_is_one_activity(
    office: Any, agent: Any, new_mailbox: Any
) -> None:
    person(office, "kunde@example.org")
    raw = make_mail(message_id="<gleich-1@example.org>")
    colleagues = [agent, make_user(office, "kollegin", "agent"), make_user(office, "kollege", "agent")]
    accounts = []
    for user in colleagues:
        box = new_mailbox()
        put(box, raw)
        put(box, raw, "Sent")
        accounts.append(connect(user, box))
    for account in accounts:
        three_times(account)
    assert mail_activities().count() == 1
    assert ArchivedMail.objects.filter(key="<gleich-1@example.org>").count() == 1


def test_a_uidvalidity_change_and_a_folder_move_create_nothing_twice(
    office: Any, agent: Any, new_mailbox: Any
) -> None:
    person(office, "kunde@example.org")
    box = new_mailbox()
    put(box, make_mail(message_id="<a@example.org>"), "Kunden")
    put(box, make_mail(message_id="<b@example.org>"), "Kunden")
    account = connect(agent, box, folders=["Kunden"])
    three_times(account)
    before = FolderState.objects.get(account=account, folder="Kunden").uid_validity
    with ImapClient(imap_for(box)) as imap:  # the server renumbers the folder: delete and re-create
        assert imap.box is not None
        imap.box.folder.delete(imap.folder_name("Kunden"))
        imap.create_folder("Kunden")
        imap.append(make_mail(message_id="<a@example.org>"), "Kunden")
        imap.append(make_mail(message_id="<b@example.org>"), "INBOX")  # moved to INBOX
    results = three_times(account)
    assert results[0].archived == 0 and results[0].known == 2
    assert FolderState.objects.get(account=account, folder="Kunden").uid_validity != before
    assert mail_activities().count() == 2


def test_a_mail_without_message_id_is_recognised_by_its_content(
    office: Any, agent: Any, new_mailbox: Any
) -> None:
    person(office, "kunde@example.org")
    raw = make_mail(message_id=None, subject="Ohne Kennung")
    one, two = new_mailbox(), new_mailbox()
    put(one, raw)
    put(two, raw)
    put(two, raw, "Archiv")
    a1 = connect(agent, one)
    a2 = connect(make_user(office, "kollegin", "agent"), two, folders=["Archiv"])
    three_times(a1)
    three_times(a2)
    mail = ArchivedMail.objects.get(subject="Ohne Kennung")
    assert mail.key.startswith("sha256:")
    assert mail_activities().count() == 1


def test_a_30_mb_attachment_is_stored_once_by_hash(office: Any, agent: Any, new_mailbox: Any) -> None:
    person(office, "kunde@example.org")
    big = bytes(range(256)) * (30 * 1024 * 4)  # 30 MB
    box = new_mailbox()
    put(box, make_mail(subject="Grundriss", attachments=[("grundriss.pdf", big)]))
    put(box, make_mail(subject="Grundriss nochmal", attachments=[("kopie.pdf", big)]))
    account = connect(agent, box)
    first, *_ = three_times(account)
    assert first.archived == 2
    blob = MailBlob.objects.get()
    assert blob.size == len(big) == 30 * 1024 * 1024
    with blob.file.open("rb") as f:
        assert f.read() == big
    names = sorted(a["name"] for m in ArchivedMail.objects.all() for a in m.attachments)
    assert names == ["grundriss.pdf", "kopie.pdf"]


def test_wrong_credentials_give_a_german_state_and_the_next_run_works(
    office: Any, agent: Any, new_mailbox: Any
) -> None:
    person(office, "kunde@example.org")
    box = new_mailbox()
    put(box, make_mail())
    account = connect(agent, {**box, "password": "falsch"})
    result = account_sync(account)
    account.refresh_from_db()
    assert account.last_status == "error"
    assert account.last_error == "Anmeldung fehlgeschlagen: Benutzername oder Passwort ist falsch."
    assert result.error == account.last_error and mail_activities().count() == 0
    account.set_password("geheim")
    account.save()
    three_times(account)
    account.refresh_from_db()
    assert (account.last_status, account.last_error, mail_activities().count()) == ("ok", "", 1)


def test_malformed_mime_is_kept_with_a_german_reason(office: Any, agent: Any, new_mailbox: Any) -> None:
    person(office, "kunde@example.org")
    raw = (
        b"From: Kunde <kunde@example.org>\r\nTo: makler@buero.example\r\nSubject: Kaputt\r\n"
        b"Message-ID: <kaputt@example.org>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="XYZ"\r\n\r\n'
        b"--XYZ\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nDer Text bleibt erhalten \xfc\r\n"
        b"--XYZ\r\nContent-Type: application/pdf; name=a.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n%%%kein-base64"
    )
    box = new_mailbox()
    put(box, raw)
    account = connect(agent, box)
    three_times(account)
    mail = ArchivedMail.objects.get(key="<kaputt@example.org>")
    assert "Der Text bleibt erhalten" in mail.body_text
    assert any("Fehlerhafte MIME-Struktur" in p or "Zeichensatz" in p for p in mail.problems), mail.problems
    assert mail.activity is not None and mail.activity.payload["problems"] == mail.problems


def test_html_is_sanitised_and_loads_no_remote_images(
    office: Any, agent: Any, new_mailbox: Any, client: Any
) -> None:
    person(office, "kunde@example.org")
    html = (
        '<p onclick="steal()">Hallo <b>Frau Makler</b></p><script>alert(1)</script>'
        '<img src="https://tracker.example/pixel.gif"><a href="javascript:alert(2)">x</a>'
        '<a href="https://example.org/expose">Exposé</a>'
    )
    box = new_mailbox()
    put(box, make_mail(html=html))
    three_times(connect(agent, box))
    mail = ArchivedMail.objects.get()
    assert "<b>Frau Makler</b>" in mail.body_html
    for bad in ("script", "onclick", "tracker.example", "<img", "javascript:"):
        assert bad not in mail.body_html
    client.force_login(agent)
    assert mail.activity is not None
    page = client.get(mail.activity.payload["view_url"]).content.decode()
    assert "<b>Frau Makler</b>" in page and "tracker.example" not in page
    timeline = client.get(reverse("core:activity_timeline"), {"contact": mail.activity.contact_id})
    assert (
        "E-Mail anzeigen" in timeline.content.decode()
        and mail.activity.payload["view_url"] in timeline.content.decode()
    )


def test_portal_inquiries_are_left_to_the_inquiry_manager(office: Any, agent: Any, new_mailbox: Any) -> None:
    from tests.inquiries.conftest import fixture_mail

    raw = fixture_mail("immoscout24_kontaktanfrage.eml")
    from maklerwerk.mailsync.mime import mail_parse

    for addr in mail_parse(raw).addresses:
        person(office, addr, f"P{addr[:3]}")
    box = new_mailbox()
    put(box, raw)
    first, *_ = three_times(connect(agent, box))
    assert first.skipped == 1 and mail_activities().count() == 0
    assert ArchivedMail.objects.get().reason == "Anfrage: wird vom Anfragenmanager bearbeitet."


def test_a_mail_naming_a_kennung_or_replying_to_a_sent_mail_gets_the_property(
    office: Any, agent: Any, new_mailbox: Any
) -> None:
    from maklerwerk.mailing.models import OutgoingMail
    from tests.inquiries.conftest import make_property

    kunde = person(office, "kunde@example.org")
    wohnung = make_property(office, agent, "MW-1001")
    haus = make_property(office, agent, "MW-2002")
    OutgoingMail.objects.create(
        office=office, contact=kunde, property=haus, from_email="a@b.example", to_email="kunde@example.org",
        subject="Exposé", body_text="x", message_id="<Expose-77@Buero.Example>",
    )  # fmt: skip
    box = new_mailbox()
    put(box, make_mail(subject="Frage zu MW-1001", message_id="<k@example.org>"))
    thread = {"In-Reply-To": "<expose-77@buero.example>", "References": "<expose-77@buero.example>"}
    put(box, make_mail(subject="Re: Exposé", message_id="<r@example.org>", headers=thread))
    three_times(connect(agent, box))
    by_key = {m.key: m.activity for m in ArchivedMail.objects.all() if m.activity is not None}
    assert by_key["<k@example.org>"].property_id == wohnung.pk
    reply = by_key["<r@example.org>"]
    assert reply.property_id == haus.pk and reply.payload["thread"] == "<expose-77@buero.example>"


def test_a_resumed_run_after_a_killed_worker_creates_nothing_twice(
    office: Any, agent: Any, new_mailbox: Any
) -> None:
    person(office, "kunde@example.org")
    box = new_mailbox()
    for i in range(3):
        put(box, make_mail(message_id=f"<m{i}@example.org>"))
    account = connect(agent, box)
    account_sync(account)
    FolderState.objects.filter(account=account).update(last_uid=1)  # the worker died before the marks
    three_times(account)
    assert mail_activities().count() == 3


def test_a_big_inbox_is_archived_in_batches_with_few_queries_and_each_copy_once(
    office: Any, agent: Any, new_mailbox: Any, django_assert_max_num_queries: Any
) -> None:
    """GIVEN 120 mails of ten known contacts (one of them twice in the folder under two UIDs)
    WHEN the archive runs
    THEN each mail is one activity, the copy counts as known, and the database sees a few queries
    per batch of 50, not some per mail."""
    for i in range(10):
        person(office, f"kunde{i}@example.org", f"Kunde {i}")
    box = new_mailbox()
    raws = [
        make_mail(sender=f"kunde{i % 10}@example.org", subject=f"Frage {i}", message_id=f"<b{i}@example.org>")
        for i in range(120)
    ]
    with ImapClient(imap_for(box)) as imap:
        for raw in [*raws, raws[7]]:
            imap.append(raw, "INBOX")
    account = connect(agent, box)
    with django_assert_max_num_queries(80):
        first = account_sync(account)
    assert (first.seen, first.archived, first.known, first.failed) == (121, 120, 1, 0)
    assert mail_activities().count() == 120
    assert mail_activities().filter(subject="Frage 7").count() == 1
    three_times(account)
    assert FolderState.objects.get(account=account, folder="INBOX").last_uid == 121
