"""Demo data for an agent's day (issue 16): tasks due today and overdue, calls and notes with text
on real demo contacts and properties, and one typo duplicate to merge.

Runs after contacts and properties exist; idempotent (marked rows are counted, nothing is made twice).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from maklerwerk.contacts.selectors import demo_contact_ids
from maklerwerk.core.models import Activity
from maklerwerk.core.seeding import SeedContext
from maklerwerk.core.services import activity_create
from maklerwerk.properties.selectors import visible_properties
from maklerwerk.tasks.models import Task
from maklerwerk.tasks.services import task_create

DEMO = "agent_day"

# (type, subject, body, days ago)
ACTIVITIES = [
    (Activity.Type.CALL, "Rückruf wegen Besichtigung", "Möchte Samstagvormittag kommen, bringt die "
     "Eltern mit. Finanzierungsbestätigung der Sparkasse liegt vor.", 0),
    (Activity.Type.NOTE, "Objektaufnahme", "Dach 2019 neu, Heizung (Gas-Brennwert) von 2015. Keller trocken, "
     "Stellplatz in der Tiefgarage gehört dazu.", 1),
    (Activity.Type.VIEWING, "Besichtigung durchgeführt", "Gefällt sehr, Küche würde übernommen. Fragt "
     "nach den Protokollen der letzten drei Eigentümerversammlungen.", 2),
    (Activity.Type.CALL, "Eigentümer: Preisvorstellung", "Bleibt bei 489.000 €, bei schneller Abwicklung "
     "Verhandlungsspielraum von etwa 10.000 €.", 3),
    (Activity.Type.MEETING, "Termin beim Notar vorbereitet", "Entwurf des Kaufvertrags an beide Seiten, "
     "Beurkundung voraussichtlich in drei Wochen.", 5),
    (Activity.Type.LETTER, "Vermarktungsbericht", "Monatlicher Bericht an die Eigentümerin: 14 Anfragen, "
     "5 Besichtigungen, 2 ernsthafte Interessenten.", 8),
]  # fmt: skip

# (title, due in days from today (negative: overdue), priority, with contact, with property)
TASKS = [
    ("Finanzierungsnachweis anfordern", -2, Task.Priority.HIGH, True, True),
    ("Exposé nach Preisanpassung neu senden", -1, Task.Priority.NORMAL, False, True),
    ("Notar anrufen: Termin bestätigen", 0, Task.Priority.HIGH, True, False),
    ("Energieausweis beim Eigentümer anfordern", 0, Task.Priority.NORMAL, True, True),
    ("Besichtigung nachfassen", 2, Task.Priority.NORMAL, True, True),
    ("Fotos für die Dachgeschosswohnung beauftragen", 7, Task.Priority.LOW, False, True),
]


def seed_agent_day(ctx: SeedContext) -> None:

    contacts = demo_contact_ids(office_id=ctx.office.pk, limit=12)
    props = list(visible_properties(ctx.agent).order_by("pk").values_list("pk", flat=True)[:6])
    if not contacts or not props:
        return
    now = timezone.localtime()
    if not Activity.objects.filter(office=ctx.office, payload__demo=DEMO).exists():
        for i, (kind, subject, body, days) in enumerate(ACTIVITIES):
            activity_create(
                office=ctx.office,
                type=kind,
                subject=subject,
                body=body,
                acting_user=ctx.agent,
                occurred_at=now - dt.timedelta(days=days, hours=i),
                payload={"demo": DEMO},
                contact_id=contacts[i % len(contacts)],
                property_id=props[i % len(props)],
            )
        ctx.log(f"{len(ACTIVITIES)} Aktivitäten mit Text angelegt")
    if not Task.objects.filter(office=ctx.office, source=DEMO).exists():
        for i, (title, days, priority, with_contact, with_property) in enumerate(TASKS):
            task_create(
                office=ctx.office,
                title=title,
                assignee=ctx.agent,
                due_at=(now + dt.timedelta(days=days)).replace(hour=17, minute=0, second=0, microsecond=0),
                contact_id=contacts[(i + 2) % len(contacts)] if with_contact else None,
                property_id=props[i % len(props)] if with_property else None,
                source=DEMO,
                priority=priority,
            )
        ctx.log(f"{len(TASKS)} Aufgaben angelegt")
