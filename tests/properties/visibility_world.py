"""A restricted property with one of everything hanging off it, for the visibility tests.

The property is visible to its responsible agent, the administrator and one chosen viewer; two
colleagues (an agent and a read-only user) may not see it. Every text that belongs to it carries
`MARK`, so a page or an answer that shows any of it is easy to spot.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

MARK = "Sonnenhang-XJ7Q"


def png() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "PNG")
    return SimpleUploadedFile("bild.png", buf.getvalue(), content_type="image/png")


@dataclass
class World:
    office: Any
    admin: Any
    owner: Any  # responsible agent
    viewer: Any  # chosen viewer (read-only role, so "viewer" is about the property, not the role)
    colleague: Any  # agent, not a viewer
    reader: Any  # read-only user, not a viewer
    prop: Any
    contact: Any
    objects: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["objects"][name]
        except KeyError as exc:
            raise AttributeError(name) from exc


def build_world() -> World:
    from maklerwerk.accounts.models import Office
    from maklerwerk.accounts.services import user_create
    from maklerwerk.contacts.models import Contact, ContactEmail
    from maklerwerk.core.models import Activity
    from maklerwerk.core.services import activity_create
    from maklerwerk.exposes.models import Offer, OfferRecipient, PropertyExposeSettings
    from maklerwerk.inquiries.models import Inquiry, PortalListing, ProcessDefinition, ProcessInstance
    from maklerwerk.mailing.models import MailTemplate
    from maklerwerk.matching.models import NewMatch, SearchProfile
    from maklerwerk.properties.models import PropertyContact, PropertyDocument
    from maklerwerk.properties.services import property_create, property_images_add
    from maklerwerk.sharing import services as sharing
    from maklerwerk.sharing import visits
    from maklerwerk.tasks.services import task_create

    office = Office.objects.create(
        name="Walker Immobilien", city="Köln", cancellation_notice_text="Widerrufsbelehrung des Büros."
    )

    def user(name: str, role: str) -> Any:
        return user_create(office=office, username=name, password="Geheim-Passwort-1", role=role)

    admin, owner = user("chefin", "admin"), user("zustaendig", "agent")
    viewer, colleague, reader = (
        user("freigabe", "readonly"),
        user("kollege", "agent"),
        user("leser", "readonly"),
    )
    prop = property_create(
        office=office,
        acting_user=owner,
        data={
            "external_id": f"G-{MARK}",
            "title": f"Villa {MARK}",
            "object_kind": "haus",
            "marketing_type": "kauf",
            "status": "active",
            "city": "Köln",
            "postal_code": "50667",
            "purchase_price": 900000,
            "living_area": 200,
            "rooms": 6,
            "visibility": "restricted",
            "responsible_agent": owner,
        },
        viewers=[viewer],
    )
    contact = Contact.objects.create(office=office, first_name="Petra", last_name="Interessentin")
    ContactEmail.objects.create(contact=contact, office=office, value="petra@example.org")
    o: dict[str, Any] = {}
    o["image"] = property_images_add(
        prop=prop, acting_user=owner, files=[png()], captions=[f"Garten {MARK}"]
    )[0]
    doc = PropertyDocument(property=prop, title=f"Grundbuch {MARK}", protected=True, size=9)
    doc.file.save("grundbuch.pdf", ContentFile(b"%PDF-1.4 g"), save=False)
    doc.save()
    o["document"] = doc
    o["role"] = PropertyContact.objects.create(office=office, property=prop, contact=contact, role="prospect")
    o["link"] = sharing.share_link_create(office=office, contact=contact, property=prop, acting_user=owner)
    o["token"] = sharing.share_link_token(o["link"])
    o["cloud"] = o["link"].cloud
    o["folder"] = sharing.cloud_folder_create(cloud=o["cloud"], name=f"Pläne {MARK}", acting_user=owner)
    o["cloud_file"] = sharing.cloud_file_add(
        cloud=o["cloud"], upload=SimpleUploadedFile(f"Plan {MARK}.pdf", b"plan"), acting_user=owner
    )
    o["personal_file"] = sharing.personal_file_add(
        cloud=o["cloud"],
        contact=contact,
        upload=SimpleUploadedFile(f"Vertrag {MARK}.pdf", b"v"),
        acting_user=owner,
    )
    o["file_key"] = sharing.file_key(o["link"], "cloud_file", o["cloud_file"].pk)
    visits.consent_accept(link=o["link"], ip="203.0.113.9", user_agent="Prospect")
    visits.access_record(link=o["link"], kind="view", ip="203.0.113.9", user_agent="Prospect")
    o["activity"] = activity_create(
        office=office,
        type=Activity.Type.NOTE,
        subject=f"Notiz zu {MARK}",
        acting_user=owner,
        contact_id=contact.pk,
        property_id=prop.pk,
    )
    o["task"] = task_create(
        office=office, title=f"Besichtigung {MARK}", assignee=owner, acting_user=owner, property_id=prop.pk
    )
    o["contact_task"] = task_create(
        office=office, title="Rückruf", assignee=colleague, acting_user=owner, contact_id=contact.pk
    )
    o["mail_template"] = MailTemplate.objects.create(
        office=office, kind="mail", name="Angebot", subject="Angebot", body="Guten Tag"
    )
    o["letter_template"] = MailTemplate.objects.create(
        office=office, kind="letter", name="Brief", subject="Brief", body="Guten Tag"
    )
    o["offer"] = Offer.objects.create(
        office=office, mail_template=o["mail_template"], subject=f"Angebot {MARK}", body="b", created_by=owner
    )
    o["recipient"] = OfferRecipient.objects.create(offer=o["offer"], contact=contact, property=prop)
    PropertyExposeSettings.objects.create(
        office=office, property=prop, virtual_tour_url="https://example.org/t"
    )
    o["inquiry"] = Inquiry.objects.create(
        office=office, subject=f"Anfrage {MARK}", property=prop, contact=contact, email="petra@example.org"
    )
    o["listing"] = PortalListing.objects.create(
        office=office, property=prop, source="immoscout24", portal_id="42"
    )
    definition = ProcessDefinition.objects.create(office=office, name="Nachfassen", trigger="contact_created")
    o["instance"] = ProcessInstance.objects.create(
        office=office, definition=definition, contact=contact, property=prop, inquiry=o["inquiry"]
    )
    o["profile"] = SearchProfile.objects.create(
        office=office, contact=contact, name="Haus Köln", marketing_type="kauf", cities=["Köln"]
    )
    o["new_match"] = NewMatch.objects.create(
        office=office, property=prop, profile=o["profile"], agent=None, reason="new_listing", detail=MARK
    )
    o["expires"] = timezone.now() + dt.timedelta(days=3)
    from maklerwerk.appointments.services import appointment_create

    o["appointment"] = appointment_create(
        office=office, acting_user=owner, title=f"Besichtigung {MARK}", property_id=prop.pk,
        starts_at=o["expires"], ends_at=o["expires"] + dt.timedelta(hours=1), contact_ids=[contact.pk],
    )  # fmt: skip
    from maklerwerk.tours import services as tours
    from maklerwerk.tours.models import Registration

    o["tour"] = tours.tour_create(
        prop=prop,
        data=tours.TourData(link="https://example.org/rundgang", title=f"Rundgang {MARK}"),
        acting_user=owner,
    )[0]
    o["tour_registration"] = Registration.objects.create(
        office=office,
        tour=o["tour"],
        name=f"Leo {MARK}",
        email="leo@example.org",
        email_key="leo@example.org",
    )
    o["tour_grant"] = tours.grant_create(tour=o["tour"], contact=contact, acting_user=owner, send=False)[0]
    from maklerwerk.appointments.models import ViewingBooking, ViewingSlot

    slot = ViewingSlot.objects.create(
        office=office, property=prop, agent=owner, starts_at=o["expires"], capacity=2, booked=1,
        ends_at=o["expires"] + dt.timedelta(hours=1), booking_mode=ViewingSlot.Booking.REQUEST,
    )  # fmt: skip
    o["slot"] = slot
    o["booking"] = ViewingBooking.objects.create(
        office=office, slot=slot, contact=contact, appointment=o["appointment"], requested=True
    )
    from maklerwerk.mailsync.models import ArchivedMail

    o["archived_mail"] = ArchivedMail.objects.create(
        office=office, key="<walk@example.org>", state="archived", subject=f"Mail zu {MARK}",
        body_text=f"Zu {MARK}", activity=o["activity"],
    )  # fmt: skip
    return World(office, admin, owner, viewer, colleague, reader, prop, contact, o)


def property_rows(world: World) -> dict[str, Any]:
    """What the restricted property consists of: every row pointing at it (by model), its files,
    its links' state and its own fields. A walker request must leave all of it as it was."""
    from django.apps import apps
    from django.forms.models import model_to_dict

    from maklerwerk.properties.models import Property

    rows: dict[str, Any] = {}
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model is Property:
                rows[f"{model._meta.label}.{f.name}"] = sorted(
                    model._default_manager.filter(**{f.name: world.prop.pk}).values_list("pk", flat=True)
                )
    from maklerwerk.sharing.models import CloudFile, CloudFolder, PersonalFile, ShareLink

    rows["cloud files"] = sorted(CloudFile.objects.filter(cloud=world.cloud).values_list("pk", "name"))
    rows["folders"] = sorted(CloudFolder.objects.filter(cloud=world.cloud).values_list("pk", "name"))
    rows["personal files"] = sorted(PersonalFile.objects.filter(cloud=world.cloud).values_list("pk", "name"))
    rows["links"] = sorted(
        ShareLink.objects.filter(property=world.prop).values_list("pk", "deleted_at", "expires_at")
    )
    prop = Property.objects.get(pk=world.prop.pk)
    rows["property"] = {k: str(v) for k, v in model_to_dict(prop).items()}
    return rows
