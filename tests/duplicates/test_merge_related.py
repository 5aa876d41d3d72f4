"""Merging moves a row of EVERY model that points at a contact, apps added later included.

Each related model has a row factory below; the rows are created explicitly and checked one by one
after the merge (no counting helper shared with the merge code). tests/testapp stands in for an app
added later: a foreign key, a one-to-one, a many-to-many and a generic foreign key to Contact that
the merge was never told about.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone

from maklerwerk.contacts.models import (
    Contact,
    ContactEmail,
    ContactFile,
    ContactPhone,
    ContactRole,
    ContactTag,
    Relationship,
    Tag,
)
from maklerwerk.core.models import Activity
from maklerwerk.duplicates.merge import contacts_merge
from maklerwerk.exposes.models import OfferRecipient
from maklerwerk.inquiries.models import Inquiry, ProcessInstance
from maklerwerk.mailing.models import OutgoingMail
from maklerwerk.matching.models import AgentNotification, SearchProfile, SelfServiceLink
from maklerwerk.properties.models import PropertyContact
from maklerwerk.sharing.models import AccessDeactivation, AccessEvent, ConsentAcceptance, PersonalFile
from maklerwerk.tasks.models import Task
from tests.duplicates.conftest import MUELLER, make_contact
from tests.testapp.models import LoyaltyCard, Newsletter, Sticker, Viewing

pytestmark = pytest.mark.django_db

_seq = itertools.count(1)


class World:
    """The office's other objects a related row needs (property, cloud, share link, offer, ...)."""

    def __init__(self, office: Any, agent: Any) -> None:
        from maklerwerk.exposes.models import Offer
        from maklerwerk.inquiries.models import ProcessDefinition
        from maklerwerk.mailing.models import MailTemplate
        from maklerwerk.properties.models import Property
        from maklerwerk.sharing.models import DocumentCloud

        self.office, self.agent = office, agent
        self.prop = Property.objects.create(office=office, external_id="M-1", title="Merge-Objekt")
        self.cloud = DocumentCloud.objects.create(office=office, property=self.prop)
        template = MailTemplate.objects.create(office=office, name="Angebot", body="Hallo")
        self.offer = Offer.objects.create(office=office, mail_template=template, subject="Angebot", body="x")
        self.definition = ProcessDefinition.objects.create(
            office=office, name="Begrüßung", trigger="contact_created"
        )
        self.later = timezone.now() + dt.timedelta(days=7)

    def link(self, contact: Any) -> Any:
        from maklerwerk.sharing.models import ShareLink

        n = next(_seq)
        return ShareLink.objects.create(
            office=self.office, cloud=self.cloud, property=self.prop, contact=contact,
            token_seed=f"seed{n}", token_hash=f"hash{n}",
        )  # fmt: skip


# "app.Model.field" -> makes one row whose `field` points at the given contact.
Factory = Callable[[World, Any], Any]
FACTORIES: dict[str, Factory] = {}


def factory(name: str) -> Callable[[Factory], Factory]:
    def register(fn: Factory) -> Factory:
        FACTORIES[name] = fn
        return fn

    return register


@factory("core.Activity.contact")
def _activity(w: World, c: Any) -> Any:
    return Activity.objects.create(office=w.office, type="note", subject="Notiz", contact=c)


@factory("core.Activity_further_contacts.contact")
def _activity_participant(w: World, c: Any) -> Any:
    activity = Activity.objects.create(office=w.office, type="viewing", subject="Besichtigung zu dritt")
    return Activity.further_contacts.through.objects.create(activity=activity, contact=c)


def _appointment(w: World) -> Any:
    from maklerwerk.appointments.models import Appointment

    return Appointment.objects.create(
        office=w.office, starts_at=w.later, ends_at=w.later + dt.timedelta(hours=1)
    )


@factory("appointments.Appointment_contacts.contact")
def _appointment_attendee(w: World, c: Any) -> Any:
    from maklerwerk.appointments.models import Appointment

    return Appointment.contacts.through.objects.create(appointment=_appointment(w), contact=c)


def _booking_link(w: World, c: Any) -> Any:
    from maklerwerk.appointments.models import BookingLink

    return BookingLink.objects.create(
        office=w.office, property=w.prop, contact=c, token_hash=f"booking{next(_seq)}", expires_at=w.later
    )


factory("appointments.BookingLink.contact")(_booking_link)


@factory("appointments.ViewingBooking.contact")
def _viewing_booking(w: World, c: Any) -> Any:
    from maklerwerk.appointments.models import ViewingBooking, ViewingSlot

    start = w.later + dt.timedelta(minutes=next(_seq))
    slot = ViewingSlot.objects.create(
        office=w.office, property=w.prop, starts_at=start, ends_at=start + dt.timedelta(minutes=30), booked=1
    )
    return ViewingBooking.objects.create(office=w.office, slot=slot, contact=c, appointment=_appointment(w))


@factory("contacts.ContactEmail.contact")
def _email(w: World, c: Any) -> Any:
    value = f"x{next(_seq)}@example.org"
    return ContactEmail.objects.create(contact=c, value=value, value_normalized=value)


@factory("contacts.ContactPhone.contact")
def _phone(w: World, c: Any) -> Any:
    return ContactPhone.objects.create(contact=c, value=f"+4922155{next(_seq):05d}")


@factory("contacts.ContactRole.contact")
def _role(w: World, c: Any) -> Any:
    return ContactRole.objects.create(office=w.office, contact=c, role="owner")


@factory("contacts.ContactTag.contact")
def _tag(w: World, c: Any) -> Any:
    tag = Tag.objects.create(office=w.office, name=f"T{next(_seq)}")
    return ContactTag.objects.create(office=w.office, contact=c, tag=tag)


@factory("contacts.ContactFile.contact")
def _file(w: World, c: Any) -> Any:
    return ContactFile.objects.create(office=w.office, contact=c, file="c/ausweis.pdf", name="a.pdf", size=1)


@factory("contacts.Relationship.from_contact")
def _relationship_from(w: World, c: Any) -> Any:
    child = make_contact(w.office, last_name="Kind")
    return Relationship.objects.create(office=w.office, from_contact=c, to_contact=child, kind="child")


@factory("contacts.Relationship.to_contact")
def _relationship_to(w: World, c: Any) -> Any:
    parent = make_contact(w.office, last_name="Elter")
    return Relationship.objects.create(office=w.office, from_contact=parent, to_contact=c, kind="parent")


@factory("properties.PropertyContact.contact")
def _property_contact(w: World, c: Any) -> Any:
    return PropertyContact.objects.create(office=w.office, property=w.prop, contact=c, role="prospect")


@factory("matching.SearchProfile.contact")
def _search_profile(w: World, c: Any) -> Any:
    return SearchProfile.objects.create(office=w.office, contact=c)


@factory("matching.SelfServiceLink.contact")
def _self_service_link(w: World, c: Any) -> Any:
    return SelfServiceLink.objects.create(
        office=w.office, contact=c, token_hash=f"ss{next(_seq)}", expires_at=w.later
    )


@factory("matching.AgentNotification.contact")
def _agent_notification(w: World, c: Any) -> Any:
    return AgentNotification.objects.create(office=w.office, contact=c, message="Neuer Treffer")


@factory("sharing.PersonalFile.contact")
def _personal_file(w: World, c: Any) -> Any:
    return PersonalFile.objects.create(
        office=w.office, cloud=w.cloud, contact=c, key=f"k{next(_seq)}", file="p/v.pdf", name="v.pdf"
    )


@factory("sharing.ShareLink.contact")
def _share_link(w: World, c: Any) -> Any:
    return w.link(c)


@factory("sharing.AccessDeactivation.contact")
def _access_deactivation(w: World, c: Any) -> Any:
    return AccessDeactivation.objects.create(office=w.office, cloud=w.cloud, contact=c)


@factory("sharing.ConsentAcceptance.contact")
def _consent(w: World, c: Any) -> Any:
    return ConsentAcceptance.objects.create(
        office=w.office, link=w.link(c), contact=c, property=w.prop, text_version="1",
        cancellation_notice_sha256="0" * 64, accepted_text="Ich stimme zu.",
    )  # fmt: skip


@factory("sharing.AccessEvent.contact")
def _access_event(w: World, c: Any) -> Any:
    return AccessEvent.objects.create(
        office=w.office, link=w.link(c), contact=c, property=w.prop, kind="view"
    )


@factory("mailing.OutgoingMail.contact")
def _outgoing_mail(w: World, c: Any) -> Any:
    return OutgoingMail.objects.create(
        office=w.office, contact=c, from_email="buero@example.de", to_email="k@example.org",
        subject="Hallo", body_text="Hallo", message_id=f"<m{next(_seq)}@example.de>",
    )  # fmt: skip


@factory("exposes.OfferRecipient.contact")
def _offer_recipient(w: World, c: Any) -> Any:
    return OfferRecipient.objects.create(offer=w.offer, contact=c, property=w.prop)


@factory("tasks.Task.contact")
def _task(w: World, c: Any) -> Any:
    return Task.objects.create(office=w.office, title="Anrufen", contact=c)


@factory("inquiries.Inquiry.contact")
def _inquiry(w: World, c: Any) -> Any:
    return Inquiry.objects.create(office=w.office, contact=c)


@factory("inquiries.Inquiry.duplicate_of")
def _inquiry_duplicate_of(w: World, c: Any) -> Any:
    return Inquiry.objects.create(office=w.office, duplicate_of=c)


@factory("inquiries.ProcessInstance.contact")
def _process_instance(w: World, c: Any) -> Any:
    return ProcessInstance.objects.create(office=w.office, definition=w.definition, contact=c)


@factory("appointments.AttendeeFeedback.contact")
def _attendee_feedback(w: World, c: Any) -> Any:
    from maklerwerk.appointments.models import AttendeeFeedback

    return AttendeeFeedback.objects.create(
        office=w.office, appointment=_appointment(w), contact=c, feedback="Gut"
    )


@factory("appointments.BookingConsent.contact")
def _booking_consent(w: World, c: Any) -> Any:
    from maklerwerk.appointments.models import BookingConsent

    return BookingConsent.objects.create(
        office=w.office, link=_booking_link(w, c), contact=c, property=w.prop, text_version="v1",
        cancellation_notice_sha256="c" * 64, accepted_text="Widerrufsbelehrung",
    )  # fmt: skip


def _dav_account(w: World) -> Any:
    from maklerwerk.davsync.models import DavAccount

    account = DavAccount(office=w.office, user=w.agent, url=f"https://dav.example.org/{next(_seq)}/")
    account.set_password("geheim")
    account.save()
    return account


@factory("davsync.ContactUid.contact")
def _contact_uid(w: World, c: Any) -> Any:
    from maklerwerk.davsync.models import ContactUid

    return ContactUid.objects.create(office=w.office, contact=c)


@factory("davsync.SyncFlag.contact")
def _sync_flag(w: World, c: Any) -> Any:
    from maklerwerk.davsync.models import SyncFlag

    return SyncFlag.objects.create(account=_dav_account(w), contact=c)


@factory("davsync.DavItem.contact")
def _dav_item(w: World, c: Any) -> Any:
    from maklerwerk.davsync.models import DavItem

    return DavItem.objects.create(
        account=_dav_account(w), href=f"/k/{next(_seq)}.vcf", contact=c, was_linked=True
    )


@factory("privacy.ConsentRecord.contact")
def _consent_record(w: World, c: Any) -> Any:
    from maklerwerk.privacy.models import ConsentRecord

    return ConsentRecord.objects.create(
        office=w.office, contact=c, purpose="newsletter", status="granted", channel="form"
    )


@factory("privacy.ErasureRequest.contact")
def _erasure_request(w: World, c: Any) -> Any:
    from maklerwerk.privacy.models import ErasureRequest

    return ErasureRequest.objects.create(office=w.office, contact=c, requested_by="Auskunft per Brief")


@factory("privacy.LegalHold.contact")
def _legal_hold(w: World, c: Any) -> Any:
    from maklerwerk.privacy.models import LegalHold

    return LegalHold.objects.create(office=w.office, contact=c, reason="Klage")


@factory("privacy.SubjectRequest.contact")
def _subject_request(w: World, c: Any) -> Any:
    from maklerwerk.privacy.models import SubjectRequest

    return SubjectRequest.objects.create(
        office=w.office, contact=c, kind="rectification", requested_by="per Brief", details="Adresse falsch"
    )


@factory("privacy.InactiveProposal.contact")
def _inactive_proposal(w: World, c: Any) -> Any:
    from maklerwerk.privacy.models import InactiveProposal

    return InactiveProposal.objects.create(office=w.office, contact=c, contact_name="Stille")


@factory("privacy.RetentionMark.contact")
def _retention_mark(w: World, c: Any) -> Any:
    from maklerwerk.privacy.models import RetentionMark

    return RetentionMark.objects.create(
        office=w.office, contact=c, section="files", object_id=next(_seq), kind="invoice",
        document_date=dt.date(2025, 6, 10),
    )  # fmt: skip


def _tour(w: World) -> Any:
    from maklerwerk.tours.models import Tour

    return Tour.objects.create(office=w.office, property=w.prop, open_url="https://example.org/rundgang")


@factory("tours.Grant.contact")
def _tour_grant(w: World, c: Any) -> Any:
    from maklerwerk.tours.models import Grant

    return Grant.objects.create(office=w.office, tour=_tour(w), contact=c, token_hash=f"grant{next(_seq)}")


@factory("tours.Visit.contact")
def _tour_visit(w: World, c: Any) -> Any:
    from maklerwerk.tours.models import Visit

    return Visit.objects.create(
        office=w.office, tour=_tour(w), visit_key=f"v{next(_seq)}", contact=c, rooms={}
    )


@factory("gwg.Party.contact")
def _gwg_party(w: World, c: Any) -> Any:
    from maklerwerk.gwg.models import GwgCase, Party

    case = GwgCase.objects.create(office=w.office, property=w.prop, property_label="M-1")
    return Party.objects.create(office=w.office, case=case, contact=c, role="buyer", name="Käufer")


# tests/testapp: an app added later.
@factory("testapp.Viewing.contact")
def _viewing(w: World, c: Any) -> Any:
    return Viewing.objects.create(contact=c, note="Besichtigung")


@factory("testapp.LoyaltyCard.contact")
def _loyalty_card(w: World, c: Any) -> Any:
    return LoyaltyCard.objects.create(contact=c, number=f"L{next(_seq)}")


@factory("testapp.Newsletter_subscribers.contact")
def _subscription(w: World, c: Any) -> Any:
    newsletter = Newsletter.objects.create(name=f"N{next(_seq)}")
    return Newsletter.subscribers.through.objects.create(newsletter=newsletter, contact=c)


# Rows whose unique rule makes the survivor's row and the merged contact's row the same thing (the
# same role, the same property role, the same offer, a one-to-one): the survivor's row is kept.
SAME_ON_BOTH: set[str] = {
    "contacts.ContactRole.contact",
    "properties.PropertyContact.contact",
    "sharing.AccessDeactivation.contact",
    "exposes.OfferRecipient.contact",
    "testapp.LoyaltyCard.contact",
}


def _relations_to_contact() -> set[str]:
    """Every foreign key (one-to-one and many-to-many through tables included) pointing at Contact,
    read from Contact's reverse relations; the duplicate engine's own bookkeeping is left out (the
    merge deletes it for the merged contact and rebuilds it for the survivor)."""
    found = set()
    for rel in Contact._meta.get_fields(include_hidden=True):
        if rel.is_relation and rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one):
            model = rel.related_model
            if model._meta.app_label != "duplicates":  # type: ignore[union-attr]  # a relation has one
                found.add(f"{model._meta.label}.{rel.field.name}")  # type: ignore[union-attr]  # reverse
    return found


def test_every_model_pointing_at_a_contact_has_a_row_factory_here() -> None:
    missing = _relations_to_contact() - set(FACTORIES)
    assert not missing, f"add a row factory to FACTORIES in {__file__} for: {sorted(missing)}"
    assert not set(FACTORIES) - _relations_to_contact()


@pytest.fixture
def world(office: Any, agent: Any) -> World:
    return World(office, agent)


def test_merge_moves_one_row_of_every_related_model_to_the_survivor(
    office: Any, agent: Any, world: World
) -> None:
    a = make_contact(office, **MUELLER)
    b = make_contact(office, **{**MUELLER, "last_name": "Mueller"})
    rows = {}
    for name, factory in FACTORIES.items():
        rows[name] = factory(world, b)
    keeps = {name: factory(world, a) for name, factory in FACTORIES.items() if "Relationship" not in name}

    contacts_merge(office=office, survivor_id=a.pk, other_id=b.pk, acting_user=agent)

    assert not Contact.objects.filter(pk=b.pk).exists()
    for name, row in rows.items():
        field = name.rsplit(".", 1)[1]
        model = type(row)
        if name in SAME_ON_BOTH:
            assert not model.objects.filter(pk=row.pk).exists(), name
            assert model.objects.filter(pk=keeps[name].pk, contact_id=a.pk).exists(), name
            continue
        moved = model.objects.filter(pk=row.pk).values_list(f"{field}_id", flat=True).first()
        assert moved == a.pk, f"{name}: row #{row.pk} points at {moved}, not the survivor #{a.pk}"
    for name, row in keeps.items():
        field = name.rsplit(".", 1)[1]
        assert type(row).objects.filter(pk=row.pk, **{f"{field}_id": a.pk}).exists(), name


def test_merge_of_a_contact_with_only_a_one_to_one_row_moves_it(office: Any, agent: Any) -> None:
    a = make_contact(office, **MUELLER)
    b = make_contact(office, **{**MUELLER, "last_name": "Mueller"})
    card = LoyaltyCard.objects.create(contact=b, number="L-42")
    contacts_merge(office=office, survivor_id=a.pk, other_id=b.pk, acting_user=agent)
    assert LoyaltyCard.objects.get(pk=card.pk).contact_id == a.pk


def test_merge_keeps_a_shared_newsletter_once_and_links_between_the_two_are_dropped(
    office: Any, agent: Any
) -> None:
    a = make_contact(office, **MUELLER)
    b = make_contact(office, **{**MUELLER, "last_name": "Mueller"})
    both, only_b = (
        Newsletter.objects.create(name="Neubau"),
        Newsletter.objects.create(name="Miete"),
    )
    both.subscribers.add(a, b)
    only_b.subscribers.add(b)
    Relationship.objects.create(office=office, from_contact=a, to_contact=b, kind="other")
    contacts_merge(office=office, survivor_id=a.pk, other_id=b.pk, acting_user=agent)
    assert list(both.subscribers.values_list("pk", flat=True)) == [a.pk]
    assert list(only_b.subscribers.values_list("pk", flat=True)) == [a.pk]
    assert not Relationship.objects.exists()  # a link from the survivor to itself means nothing


def test_merge_repoints_generic_relations_of_a_later_app(office: Any, agent: Any) -> None:
    a = make_contact(office, **MUELLER)
    b = make_contact(office, **{**MUELLER, "last_name": "Mueller"})
    contact_type = ContentType.objects.get_for_model(Contact)
    on_b = Sticker.objects.create(content_type=contact_type, object_id=b.pk, text="rückrufen")
    # The same id on another model must stay where it is.
    other_type = ContentType.objects.get_for_model(type(office))
    elsewhere = Sticker.objects.create(content_type=other_type, object_id=b.pk, text="Büro")
    contacts_merge(office=office, survivor_id=a.pk, other_id=b.pk, acting_user=agent)
    on_b.refresh_from_db()
    elsewhere.refresh_from_db()
    assert on_b.target == Contact.objects.get(pk=a.pk)
    assert elsewhere.object_id == b.pk


def test_the_survivors_historie_tab_shows_the_merged_contacts_earlier_changes(
    office: Any, agent: Any, agent_client: Client
) -> None:
    from maklerwerk.contacts.services import contact_create, contact_update

    a = contact_create(office=office, acting_user=agent, data={"last_name": "Müller", "city": "Köln"})
    b = contact_create(office=office, acting_user=agent, data={"last_name": "Mueller", "city": "Bremerhaven"})
    contact_update(contact=b, acting_user=agent, data={"city": "Köln"})  # moved: only the history knows
    assert "Bremerhaven" not in agent_client.get(f"/contacts/{a.pk}/").content.decode()

    contacts_merge(office=office, survivor_id=a.pk, other_id=b.pk, acting_user=agent)

    page = agent_client.get(f"/contacts/{a.pk}/").content.decode()
    assert "Bremerhaven" in page  # b's earlier change, now in the survivor's Historie tab
