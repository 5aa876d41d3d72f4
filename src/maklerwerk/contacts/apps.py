from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from maklerwerk.core.personal_data import PERSONAL_DATA, PersonalDataSection


def _count_contacts(office: Any) -> int:
    from maklerwerk.contacts.models import Contact

    return Contact.objects.filter(office=office).count()


def _activity_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    # Keeps the list's "last activity" column (indexed, sortable) current. A denormalised cache,
    # not a workflow: core.services.activity_create has no hook for apps yet.
    if instance.contact_id:
        from maklerwerk.contacts.services import contact_touch_activity

        contact_touch_activity(contact_id=instance.contact_id, occurred_at=instance.occurred_at)


class ContactsConfig(AppConfig):
    name = "maklerwerk.contacts"
    verbose_name = _("Contacts")

    def ready(self) -> None:
        _register_personal_data()
        from django.db.models.signals import post_save

        from maklerwerk.contacts import tasks
        from maklerwerk.core.dashboard import COUNTERS, Counter
        from maklerwerk.core.export import EXPORT_SECTIONS, ExportSection
        from maklerwerk.core.jobs import JOBS, declared_jobs
        from maklerwerk.core.models import Activity
        from maklerwerk.core.seeding import SEEDERS, Seeder

        COUNTERS.register(
            Counter("contacts", _("Contacts"), "ti-address-book", _count_contacts, "contacts:list", order=10)
        )
        EXPORT_SECTIONS.register_all(
            [
                ExportSection("contact_tags", "contacts.Tag", 200),
                ExportSection("contacts", "contacts.Contact", 210),
                ExportSection("contact_emails", "contacts.ContactEmail", 220),
                ExportSection("contact_phones", "contacts.ContactPhone", 230),
                ExportSection("contact_roles", "contacts.ContactRole", 240),
                ExportSection("contact_tag_links", "contacts.ContactTag", 250),
                ExportSection("contact_relationships", "contacts.Relationship", 260),
                ExportSection("contact_files", "contacts.ContactFile", 270),
            ]
        )
        JOBS.register_all(declared_jobs(tasks))
        SEEDERS.register(
            Seeder(
                "contacts",
                "maklerwerk.contacts.seed.seed_contacts",
                (("contacts", 50, "contacts (Faker de_DE, bulk inserts)"),),
                order=20,
            )
        )
        post_save.connect(_activity_saved, sender=Activity, dispatch_uid="contacts.last_activity")


def _register_personal_data() -> None:
    """What this app keeps about a person (Datenauskunft and erasure, `core.personal_data`)."""
    PERSONAL_DATA.register_all(
        [
            PersonalDataSection(
                "contact",
                "contacts.Contact",
                "pk",
                10,
                _("Contact"),
                erase="keep",
                leave_out=frozenset({"name_key", "first_name_key", "company_key", "city_key"}),
            ),
            PersonalDataSection(
                "emails",
                "contacts.ContactEmail",
                "contact",
                20,
                _("E-mail addresses"),
                leave_out=frozenset({"value_normalized"}),
                summary=("value",),
            ),
            PersonalDataSection(
                "phones", "contacts.ContactPhone", "contact", 30, _("Phone numbers"), summary=("value",)
            ),
            PersonalDataSection(
                "roles", "contacts.ContactRole", "contact", 40, _("Roles"), summary=("role",)
            ),
            PersonalDataSection("tags", "contacts.ContactTag", "contact", 50, _("Tags"), summary=("tag_id",)),
            PersonalDataSection(
                "relationships",
                "contacts.Relationship",
                "from_contact|to_contact",
                60,
                _("Relationships"),
                summary=("kind",),
            ),
            PersonalDataSection(
                "files",
                "contacts.ContactFile",
                "contact",
                70,
                _("Files"),
                summary=("name", "uploaded_at"),
            ),
        ]
    )
