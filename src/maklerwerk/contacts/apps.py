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

        from maklerwerk.core.dashboard import COUNTERS, Counter
        from maklerwerk.core.models import Activity
        from maklerwerk.core.services import EXPORT_SECTIONS

        if all(c.key != "contacts" for c in COUNTERS):
            COUNTERS.insert(
                0, Counter("contacts", _("Contacts"), "ti-address-book", _count_contacts, "contacts:list")
            )
        sections = [
            ("contacts", "contacts.Contact", set()),
            ("contact_emails", "contacts.ContactEmail", set()),
            ("contact_phones", "contacts.ContactPhone", set()),
            ("contact_roles", "contacts.ContactRole", set()),
            ("contact_tags", "contacts.Tag", set()),
            ("contact_tag_links", "contacts.ContactTag", set()),
            ("contact_relationships", "contacts.Relationship", set()),
            ("contact_files", "contacts.ContactFile", set()),
        ]
        for section in sections:
            if section not in EXPORT_SECTIONS:
                EXPORT_SECTIONS.append(section)
        post_save.connect(_activity_saved, sender=Activity, dispatch_uid="contacts.last_activity")
