from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


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
