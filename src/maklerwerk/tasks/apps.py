from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from maklerwerk.core.personal_data import PERSONAL_DATA, PersonalDataSection

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User


class TasksConfig(AppConfig):
    name = "maklerwerk.tasks"
    verbose_name = _("Tasks")

    def ready(self) -> None:
        _register_personal_data()
        from maklerwerk.core.dashboard import COUNTERS, WIDGETS, Counter, Widget
        from maklerwerk.core.export import EXPORT_SECTIONS, ExportSection

        def open_tasks(office: "Office") -> int:
            from maklerwerk.tasks.models import Task

            return Task.objects.filter(office=office, done_at__isnull=True).count()

        def open_tasks_for(user: "User") -> int:
            from maklerwerk.tasks.selectors import task_list

            return task_list(user=user).count()

        COUNTERS.register(
            Counter(
                "open_tasks",
                _("Open tasks"),
                "ti-checkbox",
                open_tasks,
                "tasks:list",
                open_tasks_for,
                order=60,
            )
        )
        WIDGETS.register(
            Widget("tasks_due", _("Due today and overdue"), "tasks:due_widget", order=10, bare=True)
        )
        EXPORT_SECTIONS.register(ExportSection("tasks", "tasks.Task", 700))
        from maklerwerk.core.seeding import SEEDERS, Seeder

        # After contacts and properties: tasks and logged calls on them, for the dashboard.
        SEEDERS.register(Seeder("agent_day", "maklerwerk.tasks.seed.seed_agent_day", order=45))


def _register_personal_data() -> None:
    """What this app keeps about a person (Datenauskunft and erasure, `core.personal_data`)."""
    PERSONAL_DATA.register_all(
        [
            PersonalDataSection(
                "tasks",
                "tasks.Task",
                "contact",
                600,
                _("Tasks"),
                summary=("title", "due_at"),
                erase="scrub",
                scrub=frozenset({"title", "description"}),
            ),
        ]
    )
