import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from maklerwerk.accounts.http import ApiRequest
from maklerwerk.accounts.roles import Capability
from maklerwerk.api.auth import require
from maklerwerk.api.schemas import CursorPage, InputSchema, Listing, apply_ordering
from maklerwerk.contacts import importing, intake, selectors, services, vcard
from maklerwerk.contacts.models import (
    INVERSE_KIND,
    Contact,
    ContactEmail,
    ContactFile,
    ContactPhone,
    RelationshipKind,
    Role,
)
from maklerwerk.contacts.normalize import format_phone
from maklerwerk.core.exceptions import ConflictError

router = Router(tags=["contacts"])

# Ninja validates these against the model's choices at run time; the checker sees plain strings.
if TYPE_CHECKING:
    EmailKind = str
    PhoneKind = str
    RoleName = str
    Salutation = str
    Kind = str
else:
    EmailKind = Literal[tuple(ContactEmail.Kind.values)]
    PhoneKind = Literal[tuple(ContactPhone.Kind.values)]
    RoleName = Literal[tuple(Role.values)]
    Salutation = Literal[tuple(Contact.Salutation.values)]
    Kind = Literal[tuple(RelationshipKind.values)]
Ordering = "name, company, city, last_activity, created; '-' for descending; default name"


class EmailIn(InputSchema):
    value: str = Field(..., max_length=254)
    kind: EmailKind = "private"


class PhoneIn(InputSchema):
    value: str = Field(..., max_length=40, description="Any format; stored as E.164 (default region DE)")
    kind: PhoneKind = "mobile"


class ContactBase(InputSchema):
    salutation: Salutation = ""
    title: str = Field("", max_length=50)
    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    birth_date: dt.date | None = None
    company_name: str = Field("", max_length=200)
    street: str = Field("", max_length=200)
    house_number: str = Field("", max_length=20)
    postal_code: str = Field("", max_length=10)
    city: str = Field("", max_length=100)
    country: str = Field(
        "DE", max_length=3, description="ISO 3166-1 alpha-2 or alpha-3 (DE or DEU); kept as alpha-2"
    )
    preferred_language: str = Field("de", max_length=5)
    letter_salutation: str = Field("", max_length=200, description="Empty: derived")
    source: str = ""
    responsible_agent_id: int | None = None
    legal_form: str = ""
    position: str = Field("", max_length=100)
    tax_number: str = Field("", max_length=30)
    vat_id: str = Field("", max_length=30)
    company_phone: str = Field("", max_length=40)
    company_email: str = Field("", max_length=254)
    website: str = Field("", max_length=300)
    iban: str = Field("", max_length=50)
    bic: str = Field("", max_length=20)
    account_holder: str = Field("", max_length=200)
    id_document_kind: str = ""
    id_document_number: str = Field("", max_length=50)
    remarks: str = ""
    terms_confirmed: bool = False
    terms_confirmed_on: dt.date | None = None
    terms_confirmed_via: str = ""
    marketing_consent: bool = False
    marketing_consent_on: dt.date | None = None
    marketing_consent_source: str = Field("", max_length=200)
    emails: list[EmailIn] = Field(default_factory=list)
    phones: list[PhoneIn] = Field(default_factory=list)
    roles: list[RoleName] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)


class ContactCreateIn(ContactBase):
    pass


class ContactPatchIn(ContactBase):
    """Only the fields sent are changed; lists are replaced as a whole."""


class EmailOut(Schema):
    value: str
    kind: str


class PhoneOut(Schema):
    value: str = Field(..., description="E.164")
    kind: str
    formatted: str

    @staticmethod
    def resolve_formatted(obj: ContactPhone) -> str:
        return format_phone(obj.value)


class ContactOut(Schema):
    id: int
    display_name: str
    salutation: str
    title: str
    first_name: str
    last_name: str
    birth_date: dt.date | None
    company_name: str
    street: str
    house_number: str
    postal_code: str
    city: str
    country: str
    preferred_language: str
    letter_salutation: str = Field(..., description="As stored (empty: derived)")
    letter_salutation_display: str
    source: str
    responsible_agent_id: int | None
    legal_form: str
    position: str
    tax_number: str
    vat_id: str
    company_phone: str
    company_email: str
    website: str
    iban: str
    bic: str
    account_holder: str
    id_document_kind: str
    id_document_number: str
    remarks: str
    terms_confirmed: bool
    terms_confirmed_on: dt.date | None
    terms_confirmed_via: str
    marketing_consent: bool
    marketing_consent_on: dt.date | None
    marketing_consent_source: str
    emails: list[EmailOut]
    phones: list[PhoneOut]
    roles: list[str]
    tags: list[str]
    last_activity_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_emails(obj: Contact) -> list[Any]:
        return list(obj.emails.all())

    @staticmethod
    def resolve_phones(obj: Contact) -> list[Any]:
        return list(obj.phones.all())

    @staticmethod
    def resolve_roles(obj: Contact) -> list[str]:
        return sorted(r.role for r in obj.roles.all())

    @staticmethod
    def resolve_tags(obj: Contact) -> list[str]:
        return sorted(t.name for t in obj.tags.all())


class ContactFilter(Schema):
    search: str | None = Field(
        None,
        max_length=100,
        description="Prefix of name, first name, company, city or e-mail; a phone in any format",
    )
    role: RoleName | None = None
    tag: str | None = Field(None, description="Tag name or id")
    responsible_agent_id: int | None = None
    ordering: str | None = Field(None, description=Ordering)


class CandidateOut(Schema):
    id: int
    name: str
    score: float
    level: str
    reasons: list[str]


def _candidates(candidates: Sequence[intake.Candidate]) -> list[dict[str, Any]]:
    return [
        {
            "id": c.contact.pk,
            "name": c.contact.display_name,
            "score": c.score,
            "level": c.level,
            "reasons": c.reasons,
        }
        for c in candidates
    ]


def _reload(user: Any, pk: int) -> Contact:
    return selectors.contact_list_page(selectors.contact_list(user=user, ids=[pk])).get()


@router.get("/contacts", response=list[ContactOut], summary="List and search contacts")
@paginate(CursorPage)
def contact_list_api(request: ApiRequest, filters: Query[ContactFilter]) -> Any:
    user = require(request, Capability.VIEW)

    chosen: dict[str, Any] = {
        "search": filters.search,
        "role": filters.role,
        "tag": filters.tag,
        "responsible_agent_id": filters.responsible_agent_id,
    }

    def listed(paged: bool) -> Any:
        # The order goes in too: a page of a common search merges its parts in the list's order.
        qs = selectors.contact_list(user=user, paged=paged, ordering=filters.ordering, **chosen)
        return apply_ordering(qs, filters.ordering, selectors.ORDERINGS, "name")

    counted = listed(paged=False)
    return Listing(
        page=selectors.contact_list_page(listed(paged=True)),
        count=counted,
        at_offset=selectors.contact_list_page(counted),
        counter=lambda: selectors.contact_count(user=user, **chosen),
    )


@router.post(
    "/contacts",
    response={201: ContactOut, 409: dict[str, Any]},
    summary="Create a contact",
    description=(
        "Runs the duplicate check first: when a probable ('certain') duplicate exists, answers 409 "
        "with `candidates` (id, name, score, level, reasons) unless `allow_duplicate=true`."
    ),
)
def contact_create_api(request: ApiRequest, payload: ContactCreateIn, allow_duplicate: bool = False) -> Any:
    user = require(request, Capability.EDIT)
    result = intake.contact_intake(
        intake.NewContact.from_data(payload.dict()),
        office=request.office,
        acting_user=user,
        source=intake.IntakeSource.API,
        override=intake.Override() if allow_duplicate else None,
    )
    if not isinstance(result, intake.Created) or result.contact is None:
        raise ConflictError(
            _("A contact with these details probably exists already."),
            extra={"candidates": _candidates(result.candidates)},
        )
    return Status(201, _reload(user, result.contact.pk))


@router.get("/contacts/{contact_id}", response=ContactOut, summary="One contact")
def contact_get_api(request: ApiRequest, contact_id: int) -> Any:
    user = require(request, Capability.VIEW)
    selectors.contact_get(user=user, pk=contact_id)
    return _reload(user, contact_id)


@router.patch("/contacts/{contact_id}", response=ContactOut, summary="Change a contact")
def contact_update_api(request: ApiRequest, contact_id: int, payload: ContactPatchIn) -> Any:
    user = require(request, Capability.EDIT)
    contact = selectors.contact_get(user=user, pk=contact_id)
    services.contact_update(contact=contact, acting_user=user, data=payload.dict(exclude_unset=True))
    return _reload(user, contact_id)


@router.delete("/contacts/{contact_id}", response={204: None}, summary="Delete a contact")
def contact_delete_api(request: ApiRequest, contact_id: int) -> Any:
    user = require(request, Capability.DELETE)
    contact = selectors.contact_get(user=user, pk=contact_id)
    services.contact_delete(contact=contact, acting_user=user)
    return Status(204, None)


class ImportSummaryOut(Schema):
    dry_run: bool
    counts: dict[str, int]
    created: list[dict[str, Any]]
    skipped: list[dict[str, Any]]
    failed: list[dict[str, Any]]
    review: list[dict[str, Any]]
    unchanged: list[dict[str, Any]]
    updated: list[dict[str, Any]]
    conflicts: list[dict[str, Any]]


class ImportJobOut(Schema):
    id: str
    state: str
    percent: int
    url: str


@router.post(
    "/contacts/import/vcard",
    response={200: ImportSummaryOut, 202: ImportJobOut},
    summary="Import a vCard file (2.1, 3.0 or 4.0; one or many contacts)",
    description=(
        "Multipart field `file`. A card imported before (same UID, or the same content) creates "
        "nothing: `unchanged`, `updated` (changed in the file only) or `conflicts` (edited in "
        "Maklerwerk since: not overwritten). New entries pass the duplicate check: probable "
        "duplicates are skipped, possible ones created and listed for review (`review`, shown on "
        "the duplicates page); malformed entries fail with position and reason. `dry_run=true` "
        "reports without creating anything. A file with more than `VCARD_SYNC_LIMIT` (200) cards is "
        "imported by a background job: 202 with the job to poll (`url`), whose result is the summary."
    ),
)
def contact_import_api(request: ApiRequest, file: File[UploadedFile], dry_run: bool = False) -> Any:
    user = require(request, Capability.EDIT)
    importing.check_size(file.size or 0)
    raw = file.read()
    cards = importing.read_cards(raw)
    if len(cards) > settings.VCARD_SYNC_LIMIT:
        job = importing.vcard_import_start(
            office=request.office,
            acting_user=user,
            raw=raw,
            filename=file.name or "import.vcf",
            dry_run=dry_run,
        )
        return Status(
            202,
            {"id": str(job.pk), "state": job.state, "percent": job.percent, "url": f"/api/v1/jobs/{job.pk}"},
        )
    entries = importing.parse_cards(cards)
    summary = importing.vcard_import(
        office=request.office, acting_user=user, entries=entries, dry_run=dry_run
    )
    return summary.as_dict()


@router.get(
    "/contacts/{contact_id}/vcard",
    response={200: None},
    summary="The contact as a vCard file (4.0, or 3.0 with version=3.0)",
)
def contact_vcard_api(request: ApiRequest, contact_id: int, version: Literal["4.0", "3.0"] = "4.0") -> Any:
    user = require(request, Capability.VIEW)
    selectors.contact_get(user=user, pk=contact_id)
    return vcard_response([_reload(user, contact_id)], version, f"kontakt-{contact_id}.vcf")


def vcard_response(contacts: Any, version: str, filename: str) -> HttpResponse:
    response = HttpResponse(vcard.export(contacts, version), content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Files -----------------------------------------------------------------------------------


class FileOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    uploaded_at: dt.datetime
    uploaded_by: str | None
    download_url: str

    @staticmethod
    def resolve_uploaded_by(obj: ContactFile) -> str | None:
        return str(obj.uploaded_by) if obj.uploaded_by_id else None

    @staticmethod
    def resolve_download_url(obj: ContactFile) -> str:
        return f"/api/v1/contacts/{obj.contact_id}/files/{obj.pk}"


@router.get("/contacts/{contact_id}/files", response=list[FileOut], summary="Files of a contact")
def contact_files_api(request: ApiRequest, contact_id: int) -> Any:
    user = require(request, Capability.VIEW)
    contact = selectors.contact_get(user=user, pk=contact_id)
    return list(contact.files.select_related("uploaded_by"))


@router.post(
    "/contacts/{contact_id}/files",
    response={201: list[FileOut]},
    summary="Upload files (multipart field `files`, several allowed)",
)
def contact_file_upload_api(request: ApiRequest, contact_id: int, files: File[list[UploadedFile]]) -> Any:
    user = require(request, Capability.EDIT)
    contact = selectors.contact_get(user=user, pk=contact_id)
    # All or nothing: one bad file stores none (and leaves no file behind).
    return Status(201, services.contact_files_add(contact=contact, acting_user=user, uploads=files))


@router.get("/contacts/{contact_id}/files/{file_id}", response={200: None}, summary="Download a file")
def contact_file_download_api(request: ApiRequest, contact_id: int, file_id: int) -> Any:
    user = require(request, Capability.VIEW)
    row = selectors.contact_file_get(user=user, contact_id=contact_id, pk=file_id)
    return FileResponse(row.file.open("rb"), as_attachment=True, filename=row.name)


@router.delete("/contacts/{contact_id}/files/{file_id}", response={204: None}, summary="Delete a file")
def contact_file_delete_api(request: ApiRequest, contact_id: int, file_id: int) -> Any:
    user = require(request, Capability.EDIT)
    row = selectors.contact_file_get(user=user, contact_id=contact_id, pk=file_id)
    services.contact_file_delete(file=row, acting_user=user)
    return Status(204, None)


# --- Relationships ---------------------------------------------------------------------------


class RelationshipOut(Schema):
    id: int
    other_id: int
    other_name: str
    kind: str = Field(..., description="What the other person is to this contact, e.g. child")
    label: str = Field(..., description="German label as shown on this contact's page")


class RelationshipIn(InputSchema):
    other_id: int
    kind: Kind = Field(..., description="What the other person is to this contact")
    label: str = Field("", max_length=50, description="For kind=custom")
    inverse_label: str = Field("", max_length=50, description="For kind=custom: the other side's label")


class RelationshipPatchIn(InputSchema):
    kind: Kind
    label: str = Field("", max_length=50)
    inverse_label: str = Field("", max_length=50)


def _relationship_out(person: selectors.RelatedPerson, contact_id: int) -> dict[str, Any]:
    rel = person.relationship
    kind = rel.kind if rel.from_contact_id == contact_id else INVERSE_KIND[RelationshipKind(rel.kind)]
    return {
        "id": rel.pk,
        "other_id": person.other.pk,
        "other_name": person.other.display_name,
        "kind": str(kind),
        "label": person.label,
    }


@router.get("/contacts/{contact_id}/relationships", response=list[RelationshipOut], summary="Related people")
def relationship_list_api(request: ApiRequest, contact_id: int) -> Any:
    user = require(request, Capability.VIEW)
    contact = selectors.contact_get(user=user, pk=contact_id)
    return [_relationship_out(p, contact.pk) for p in selectors.contact_relationships(contact)]


@router.post(
    "/contacts/{contact_id}/relationships", response={201: RelationshipOut}, summary="Relate two contacts"
)
def relationship_create_api(request: ApiRequest, contact_id: int, payload: RelationshipIn) -> Any:
    user = require(request, Capability.EDIT)
    contact = selectors.contact_get(user=user, pk=contact_id)
    other = selectors.contact_get(user=user, pk=payload.other_id)
    rel = services.relationship_create(
        contact=contact,
        other=other,
        kind=payload.kind,
        label=payload.label,
        inverse_label=payload.inverse_label,
        acting_user=user,
    )
    person = selectors.RelatedPerson(rel, other, rel.label_for(contact.pk))
    return Status(201, _relationship_out(person, contact.pk))


@router.patch(
    "/contacts/{contact_id}/relationships/{relationship_id}",
    response=RelationshipOut,
    summary="Change a relationship (kind as seen from this contact)",
)
def relationship_update_api(
    request: ApiRequest, contact_id: int, relationship_id: int, payload: RelationshipPatchIn
) -> Any:
    user = require(request, Capability.EDIT)
    contact = selectors.contact_get(user=user, pk=contact_id)
    rel = selectors.relationship_get(user=user, contact_id=contact.pk, pk=relationship_id)
    rel = services.relationship_update(
        relationship=rel,
        acting_user=user,
        kind=payload.kind,
        label=payload.label,
        inverse_label=payload.inverse_label,
        seen_from=contact,
    )
    other = rel.to_contact if rel.from_contact_id == contact.pk else rel.from_contact
    return _relationship_out(selectors.RelatedPerson(rel, other, rel.label_for(contact.pk)), contact.pk)


@router.delete(
    "/contacts/{contact_id}/relationships/{relationship_id}",
    response={204: None},
    summary="Remove a relationship",
)
def relationship_delete_api(request: ApiRequest, contact_id: int, relationship_id: int) -> Any:
    user = require(request, Capability.EDIT)
    rel = selectors.relationship_get(user=user, contact_id=contact_id, pk=relationship_id)
    services.relationship_delete(relationship=rel, acting_user=user)
    return Status(204, None)
