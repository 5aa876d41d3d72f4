"""The JSON API under /api/v1/: one NinjaAPI, each app mounts its router here."""

from ninja import NinjaAPI

from maklerwerk.accounts.api import router as accounts_router
from maklerwerk.api.auth import AUTH
from maklerwerk.api.errors import install_problem_handlers
from maklerwerk.appointments.api import router as appointments_router
from maklerwerk.contacts.api import router as contacts_router
from maklerwerk.core.api import router as core_router
from maklerwerk.davsync.api import router as davsync_router
from maklerwerk.duplicates.api import router as duplicates_router
from maklerwerk.exposes.api import router as exposes_router
from maklerwerk.gwg.api import router as gwg_router
from maklerwerk.imports.api import router as imports_router
from maklerwerk.inquiries.api import router as inquiries_router
from maklerwerk.mailing.api import router as mailing_router
from maklerwerk.mailsync.api import router as mailsync_router
from maklerwerk.matching.api import router as matching_router
from maklerwerk.portals.api import router as portals_router
from maklerwerk.privacy.api import router as privacy_router
from maklerwerk.properties.api import router as properties_router
from maklerwerk.sharing.api import router as sharing_router
from maklerwerk.tasks.api import router as tasks_router
from maklerwerk.tours.api import router as tours_router

api = NinjaAPI(
    title="Maklerwerk API",
    version="1",
    description=(
        "JSON API of Maklerwerk. Authenticate with a personal API token "
        "(`Authorization: Bearer <token>`) or the browser session. Errors are RFC 9457 "
        "problem+json; lists are `{items, count, limit, offset}`. See docs/api.md."
    ),
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_problem_handlers(api)


def _mount() -> None:
    # Imported here so each app's api module can import this package without a cycle.

    api.add_router("/", accounts_router)
    api.add_router("/", core_router)
    # Before contacts: its fixed paths (/contacts/duplicate-check, /contacts/{id}/merge) must win
    # over the contacts router's /contacts/{contact_id}.
    api.add_router("/", duplicates_router)
    api.add_router("/", contacts_router)
    api.add_router("/", properties_router)
    api.add_router("/", matching_router)
    api.add_router("/", sharing_router)
    api.add_router("/", mailing_router)
    api.add_router("/", exposes_router)
    api.add_router("/", portals_router)
    api.add_router("/", tasks_router)
    api.add_router("/", inquiries_router)
    api.add_router("/", appointments_router)
    api.add_router("/", tours_router)
    api.add_router("/", mailsync_router)
    api.add_router("/", privacy_router)
    api.add_router("/", davsync_router)
    api.add_router("/", gwg_router)
    api.add_router("/", imports_router)


_mount()
