"""The reminder that the office's risk analysis (§5 GwG) is due for review: a task for an administrator,
30 days before the review date, once per version."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from maklerwerk.gwg.models import RiskAnalysis
from maklerwerk.tasks.services import task_create

LEAD_DAYS = 30


def risk_analysis_reminders(*, today: dt.date | None = None) -> int:
    """Create the review task for every office whose newest risk analysis is due within LEAD_DAYS."""
    today = today or timezone.localdate()
    newest: dict[int, RiskAnalysis] = {}
    for analysis in RiskAnalysis.objects.select_related("office").order_by("office_id", "-version"):
        newest.setdefault(analysis.office_id, analysis)
    sent = 0
    for analysis in newest.values():
        if analysis.reminded_on is not None or analysis.review_due > today + dt.timedelta(days=LEAD_DAYS):
            continue
        with transaction.atomic():
            locked = RiskAnalysis.objects.select_for_update().get(pk=analysis.pk)
            if locked.reminded_on is not None:
                continue
            admin = (
                get_user_model()
                .objects.filter(office_id=analysis.office_id, role="admin", is_active=True)
                .order_by("pk")
                .first()
            )
            task_create(
                office=analysis.office,
                title=_("GwG: review the office risk analysis (due %(date)s)")
                % {"date": analysis.review_due.strftime("%d.%m.%Y")},
                description=_(
                    "§5 GwG: check the risk analysis and save a new version with the next review date."
                ),
                assignee=admin,
                due_at=timezone.make_aware(dt.datetime.combine(analysis.review_due, dt.time(9))),
                link_url=reverse("gwg:risk_analysis"),
                source="gwg",
                priority="high",
            )
            locked.reminded_on = today
            locked.save(update_fields=["reminded_on"])
            sent += 1
    return sent
