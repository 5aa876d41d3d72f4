"""Jobs of the privacy app: the Datenauskunft ZIP and the nightly retention sweep."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from maklerwerk.accounts.models import User
from maklerwerk.contacts.models import Contact
from maklerwerk.core.jobs import Progress, job_function
from maklerwerk.privacy import services
from maklerwerk.privacy.export import contact_export_write, export_dir


@job_function("privacy.data_export", resume=True)
def contact_data_export(
    progress: Progress, *, contact_id: int, office_id: int, user_id: int | None
) -> dict[str, Any]:
    """Write the person's ZIP (data.json, files, German summary) and log it as an activity."""
    contact = Contact.objects.select_related("office").get(pk=contact_id, office_id=office_id)
    user = User.objects.filter(pk=user_id, office_id=office_id).first() if user_id else None
    progress.update(0, 2, _("Collecting data"))
    path = export_dir() / f"{progress.job_id}.zip"
    counts = contact_export_write(contact, path)
    services.data_export_recorded(
        contact=contact, user=user, records=counts["records"], files=counts["files"]
    )
    progress.update(2, 2, _("Done"))
    return {
        "zip": path.name,
        "redirect": reverse("privacy:contact", args=[contact_id]),
        "contact_id": contact_id,
        **counts,
        "message": _("%(records)s records and %(files)s files exported") % counts,
    }


@db_periodic_task(crontab(minute="17", hour="3"))
def retention_sweep_nightly() -> None:
    """Every night: erase what a retention hold no longer keeps."""
    services.retention_sweep()
