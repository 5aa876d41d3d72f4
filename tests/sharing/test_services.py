"""Share links, tokens, consent and tracking at the service level."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone, translation

from maklerwerk.core.exceptions import ApplicationError, NotFoundError
from maklerwerk.core.models import Activity
from maklerwerk.sharing import services, visits
from maklerwerk.sharing.models import DocumentCloud, ShareLink

from .conftest import token_of

pytestmark = pytest.mark.django_db


def test_new_link_is_valid_30_days_and_its_token_is_never_stored(link: Any) -> None:
    token = token_of(link)
    assert len(token) == 43  # 256 bits, URL-safe base64
    assert (link.expires_at - timezone.now()).days in (29, 30)
    row = ShareLink.objects.filter(pk=link.pk).values().get()
    assert token not in str(row)
    assert row["token_hash"] == services.token_hash(token)
    assert services.share_link_public_url(link) == f"http://127.0.0.1:8000/sharing/d/{token}/"


def test_each_link_has_its_own_random_token(office: Any, prospect: Any, prop: Any, agent: Any) -> None:
    a = services.share_link_create(office=office, contact=prospect, property=prop, acting_user=agent)
    b = services.share_link_create(office=office, contact=prospect, property=prop, acting_user=agent)
    assert token_of(a) != token_of(b)


def test_get_or_create_reuses_the_active_link(office: Any, prospect: Any, prop: Any, agent: Any) -> None:
    first, created = services.share_link_get_or_create(
        office=office, contact=prospect, property=prop, acting_user=agent
    )
    again, created_again = services.share_link_get_or_create(
        office=office, contact=prospect, property=prop, acting_user=agent
    )
    assert created and not created_again and again.pk == first.pk
    services.share_link_delete(link=first, acting_user=agent)
    third, created_third = services.share_link_get_or_create(
        office=office, contact=prospect, property=prop, acting_user=agent
    )
    assert created_third and third.pk != first.pk
    assert DocumentCloud.objects.filter(property=prop).count() == 1


def test_get_or_create_refuses_another_offices_records(
    office: Any, prospect: Any, foreign_prop: Any, agent: Any
) -> None:
    with pytest.raises(NotFoundError):
        services.share_link_get_or_create(
            office=office, contact=prospect, property=foreign_prop, acting_user=agent
        )


def test_expiry_in_the_past_is_refused(office: Any, prospect: Any, prop: Any, agent: Any) -> None:
    with pytest.raises(ApplicationError):
        services.share_link_create(
            office=office,
            contact=prospect,
            property=prop,
            acting_user=agent,
            expires_at=timezone.now() - dt.timedelta(minutes=1),
        )


def test_resolve_rejects_deleted_expired_deactivated_and_garbage(
    link: Any, agent: Any, prospect: Any
) -> None:
    token = token_of(link)
    assert services.share_link_resolve(token) == link
    assert services.share_link_resolve(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert services.share_link_resolve("../../etc/passwd") is None
    services.access_set(cloud=link.cloud, contact=prospect, active=False, acting_user=agent)
    assert services.share_link_resolve(token) is None
    services.access_set(cloud=link.cloud, contact=prospect, active=True, acting_user=agent)
    assert services.share_link_resolve(token) == link
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert services.share_link_resolve(token) is None


def test_deactivating_one_person_leaves_the_others(
    office: Any, link: Any, other_prospect: Any, prop: Any, agent: Any, prospect: Any
) -> None:
    other = services.share_link_create(
        office=office, contact=other_prospect, property=prop, acting_user=agent
    )
    services.access_set(cloud=link.cloud, contact=prospect, active=False, acting_user=agent)
    assert services.share_link_resolve(token_of(link)) is None
    assert services.share_link_resolve(token_of(other)) == other


def test_coarse_ip_keeps_only_the_network() -> None:
    assert visits.coarse_ip("203.0.113.77") == "203.0.113.0/24"
    assert visits.coarse_ip("2001:db8:1234:5678::1") == "2001:db8:1234::/48"
    assert visits.coarse_ip("not an ip") == ""


def test_consent_is_needed_once_per_text_version(link: Any, office_texts: Any) -> None:
    assert visits.consent_needed(link)
    consent = visits.consent_accept(link=link, ip="198.51.100.9", user_agent="Firefox")
    assert not visits.consent_needed(link)
    assert consent.ip_coarse == "198.51.100.0/24"
    assert "vierzehn Tagen" in consent.accepted_text and consent.terms_sha256
    office_texts.cancellation_notice_text += " Neu."
    office_texts.save()
    link.office.refresh_from_db()
    assert visits.consent_needed(link)


def test_consent_gate_off_for_office_or_link(link: Any, office_texts: Any, agent: Any) -> None:
    services.sharing_settings_update(
        office=office_texts, acting_user=agent, consent_gate=False, require_terms=True
    )
    assert not visits.consent_needed(link)
    services.sharing_settings_update(
        office=office_texts, acting_user=agent, consent_gate=True, require_terms=False
    )
    assert visits.consent_needed(link)
    assert visits.consent_texts(office_texts).terms == ""
    link.consent_required = False
    assert not visits.consent_needed(link)


def test_send_email_mails_the_link(link: Any, agent: Any, smtp_sink: Any) -> None:
    to = services.share_link_send_email(link=link, acting_user=agent)
    assert to == "erika@example.org"
    message = smtp_sink.parsed()[0]
    assert message["To"] == "Erika Mustermann <erika@example.org>"
    assert token_of(link) in message.get_body(("plain",)).get_content()
    assert Activity.objects.filter(contact=link.contact, type="email_sent").exists()


def test_a_title_with_a_line_break_from_before_the_check_still_mails_the_link(
    link: Any, agent: Any, smtp_sink: Any
) -> None:
    from maklerwerk.properties.models import Property

    Property.objects.filter(pk=link.property_id).update(title="Helle Wohnung\r\nBcc: alle@example.org")
    link.refresh_from_db()
    assert services.share_link_send_email(link=link, acting_user=agent) == "erika@example.org"
    message = smtp_sink.parsed()[0]
    assert "\n" not in message["Subject"] and "Helle Wohnung Bcc: alle@example.org" in message["Subject"]
    assert message["Bcc"] is None and smtp_sink.messages[0].rcpt_tos == ["erika@example.org"]


def test_the_link_goes_to_the_first_address_with_its_url_and_expiry(
    link: Any, agent: Any, smtp_sink: Any
) -> None:
    from maklerwerk.contacts.models import ContactEmail
    from maklerwerk.mailing.models import OutgoingMail

    # The contact's first address is the one in first position, not the one stored first.
    ContactEmail.objects.filter(contact=link.contact).update(position=1)
    ContactEmail.objects.create(
        contact=link.contact, office=link.office, value="erika.privat@example.org", position=0
    )
    assert services.share_link_send_email(link=link, acting_user=agent) == "erika.privat@example.org"
    [envelope] = smtp_sink.messages
    assert envelope.rcpt_tos == ["erika.privat@example.org"]
    text = smtp_sink.parsed()[0].get_body(("plain",)).get_content()
    assert services.share_link_public_url(link) in text
    expiry = timezone.localtime(link.expires_at).strftime("%d.%m.%Y")
    assert f"Der Link ist persönlich und gültig bis {expiry}." in text
    activity = Activity.objects.get(contact=link.contact, type="email_sent")
    assert activity.payload["share_link_id"] == link.pk and activity.property_id == link.property_id
    assert OutgoingMail.objects.filter(to_email__endswith="<erika.privat@example.org>").count() == 1


def test_no_mail_for_an_expired_or_deleted_link_or_a_contact_without_address(
    link: Any, agent: Any, smtp_sink: Any
) -> None:
    def refusal() -> str:
        with translation.override("de"), pytest.raises(ApplicationError) as refused:
            services.share_link_send_email(link=ShareLink.objects.get(pk=link.pk), acting_user=agent)
        return refused.value.message

    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert refusal() == "Dieser Link ist nicht mehr gültig."
    ShareLink.objects.filter(pk=link.pk).update(
        expires_at=timezone.now() + dt.timedelta(days=1), deleted_at=timezone.now()
    )
    assert refusal() == "Dieser Link ist nicht mehr gültig."
    ShareLink.objects.filter(pk=link.pk).update(deleted_at=None)
    link.contact.emails.all().delete()
    assert refusal() == "Der Kontakt hat keine E-Mail-Adresse."
    assert smtp_sink.messages == []
    assert not Activity.objects.filter(type="email_sent").exists()


def test_a_mail_server_that_is_down_gives_a_german_reason(link: Any, agent: Any, settings: Any) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.MAILERS = {
        "default": {
            "BACKEND": "maklerwerk.integrations.smtp.backend.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 5},
        }
    }
    with translation.override("de"), pytest.raises(ApplicationError) as refused:
        services.share_link_send_email(link=link, acting_user=agent)
    assert refused.value.message.startswith("Der Mailserver")
    assert not Activity.objects.filter(type="email_sent").exists()


def test_an_edited_mail_text_without_the_link_still_carries_it(link: Any, agent: Any, smtp_sink: Any) -> None:
    from maklerwerk.mailing.services import template_default

    template = template_default(office=link.office, key="share_link")  # the office's own copy
    template.body = "{{ kontakt.briefanrede }},\n\nwie besprochen die Unterlagen.\n"
    template.save()
    services.share_link_send_email(link=link, acting_user=agent)
    text = smtp_sink.parsed()[0].get_body(("plain",)).get_content()
    assert "wie besprochen die Unterlagen." in text
    assert services.share_link_public_url(link) in text  # added below the office's text
