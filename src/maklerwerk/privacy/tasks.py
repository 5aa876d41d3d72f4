"""Jobs of the privacy app: the Datenauskunft ZIP and the nightly retention sweep."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from maklerwerk.accounts.models import Office, User
from maklerwerk.contacts.models import Contact
from maklerwerk.core.jobs import Progress, job_function, job_start
from maklerwerk.privacy import inactive, services
from maklerwerk.privacy.export import contact_export_write, export_dir
from maklerwerk.privacy.models import PrivacySettings


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


@job_function("privacy.inactive_review", resume=True)
def inactive_review_job(progress: Progress, *, office_id: int) -> dict[str, Any]:
    """Propose (or erase, if the office chose so) the prospects inactive beyond the office's period."""
    office = Office.objects.get(pk=office_id)
    counts = inactive.inactive_review(office=office, progress=progress)
    return {
        **counts,
        "redirect": reverse("privacy:inactive"),
        "message": _("%(proposed)s proposed, %(erased)s deleted, %(held)s held by retention duties") % counts,
    }


@job_function("privacy.inactive_erase", resume=True)
def inactive_erase_job(
    progress: Progress, *, office_id: int, proposal_ids: list[int], user_id: int | None
) -> dict[str, Any]:
    """Erase the chosen proposals one by one (each claimed first: a resumed job repeats none)."""
    user = User.objects.filter(pk=user_id, office_id=office_id).first() if user_id else None
    counts = inactive.inactive_erase_run(
        office_id=office_id, proposal_ids=proposal_ids, user=user, progress=progress
    )
    return {
        **counts,
        "redirect": reverse("privacy:inactive"),
        "message": _("%(erased)s deleted, %(held)s held by retention duties") % counts,
    }


@db_periodic_task(crontab(minute="47", hour="3"))
def inactive_review_nightly() -> None:
    """Every night: one review job per office that set a period."""
    for office_id in PrivacySettings.objects.filter(inactive_months__isnull=False).values_list(
        "office_id", flat=True
    ):
        job_start(
            kind="privacy.inactive_review",
            title=_("Checking inactive prospects"),
            office=Office.objects.get(pk=office_id),
            created_by=None,
            enqueue_now=True,
            office_id=office_id,
        )
