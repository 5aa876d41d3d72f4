import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from django.http import HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.errors import AuthorizationError
from ninja.pagination import paginate

from maklerwerk.accounts.http import ApiRequest
from maklerwerk.accounts.roles import Capability
from maklerwerk.api.auth import OfficeSessionAuth, TokenAuth, require
from maklerwerk.api.schemas import InputSchema, Page
from maklerwerk.gwg import dossier, selectors, services
from maklerwerk.gwg.access import gwg_allowed
from maklerwerk.gwg.checklist import case_checklist
from maklerwerk.gwg.models import GwgCase, Identification, Party, RiskAssessment, SuspicionNote
from maklerwerk.gwg.views_common import contact_for_party, property_for_case


def _gwg_only(user: Any) -> Any:
    if user is not None and not gwg_allowed(user):
        raise AuthorizationError(message="Your role does not allow 'gwg'.")
    return user


class GwgTokenAuth(TokenAuth):
    """The API token, refused with 403 before the request body is read unless the user holds the
    GwG permission (a body's validation errors would otherwise answer first)."""

    def authenticate(self, request: Any, token: str) -> Any:
        return _gwg_only(super().authenticate(request, token))


class GwgSessionAuth(OfficeSessionAuth):
    def authenticate(self, request: Any, key: str | None) -> Any:
        return _gwg_only(super().authenticate(request, key))


router = Router(tags=["GwG file"], auth=[GwgTokenAuth(), GwgSessionAuth()])

if TYPE_CHECKING:
    CaseKind = str
    CaseStatus = str
    PartyRole = str
    PersonKind = str
    IdType = str
    IdMethod = str
    RiskResult = str
    NoteDecision = str
else:
    CaseKind = Literal[tuple(GwgCase.Kind.values)]
    CaseStatus = Literal[tuple(GwgCase.Status.values)]
    PartyRole = Literal[tuple(Party.Role.values)]
    PersonKind = Literal[tuple(Party.PersonKind.values)]
    IdType = Literal[tuple(Identification.IdType.values)]
    IdMethod = Literal[tuple(Identification.Method.values)]
    RiskResult = Literal[tuple(RiskAssessment.Result.values)]
    NoteDecision = Literal[tuple(SuspicionNote.Decision.values)]


class GwgCaseIn(InputSchema):
    kind: CaseKind = "purchase"
    property_id: int | None = None
    price: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    monthly_rent: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)


class GwgCasePatch(InputSchema):
    price: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    monthly_rent: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)


class GwgCaseCloseIn(InputSchema):
    ended_on: dt.date


class GwgIdentificationIn(InputSchema):
    first_names: str = Field(..., max_length=200)
    last_name: str = Field(..., max_length=200)
    birth_date: dt.date
    birth_place: str = Field(..., max_length=200)
    nationality: str = Field(..., max_length=60, description="ISO 3166 code, e.g. DE")
    address: str = Field(..., max_length=300)
    id_type: IdType
    id_number: str = Field(..., max_length=40)
    issuing_authority: str = Field(..., max_length=200)
    valid_until: dt.date
    method: IdMethod
    identified_on: dt.date | None = None


class GwgIdentificationOut(Schema):
    first_names: str
    last_name: str
    birth_date: dt.date
    birth_place: str
    nationality: str
    address: str
    id_type: str
    id_number: str
    issuing_authority: str
    valid_until: dt.date
    method: str
    identified_on: dt.date
    id_copy_stored: bool

    @staticmethod
    def resolve_id_copy_stored(obj: Identification) -> bool:
        return bool(obj.id_copy)


class GwgBeneficialOwnerIn(InputSchema):
    name: str = Field(..., max_length=200)
    birth_date: dt.date | None = None
    nationality: str = Field("", max_length=60)
    address: str = Field("", max_length=300)
    share: Decimal | None = Field(None, max_digits=5, decimal_places=2)
    nature: str = Field("", max_length=300)
    checked_on: dt.date | None = None


class GwgBeneficialOwnerOut(Schema):
    id: int
    name: str
    birth_date: dt.date | None
    nationality: str
    address: str
    share: Decimal | None
    nature: str
    checked_on: dt.date


class GwgPartyIn(InputSchema):
    role: PartyRole
    contact_id: int | None = None
    name: str = Field("", max_length=200, description="Default: the contact's name")
    person_kind: PersonKind = "natural"
    legal_form: str = Field("", max_length=100)
    register_number: str = Field("", max_length=100)
    seat: str = Field("", max_length=200)
    representatives: str = Field("", max_length=2000)
    represents_id: int | None = None


class GwgPartyPatch(InputSchema):
    name: str | None = Field(None, max_length=200)
    legal_form: str | None = Field(None, max_length=100)
    register_number: str | None = Field(None, max_length=100)
    seat: str | None = Field(None, max_length=200)
    representatives: str | None = Field(None, max_length=2000)


class GwgPartyOut(Schema):
    id: int
    role: str
    person_kind: str
    contact_id: int | None
    name: str
    legal_form: str
    register_number: str
    seat: str
    representatives: str
    represents_id: int | None
    transparency_checked_on: dt.date | None
    transparency_extract_stored: bool
    identification: GwgIdentificationOut | None
    beneficial_owners: list[GwgBeneficialOwnerOut]

    @staticmethod
    def resolve_transparency_extract_stored(obj: Party) -> bool:
        return bool(obj.transparency_extract)

    @staticmethod
    def resolve_identification(obj: Party) -> Identification | None:
        return getattr(obj, "identification", None)

    @staticmethod
    def resolve_beneficial_owners(obj: Party) -> list[Any]:
        return list(obj.beneficial_owners.all())


class GwgRiskIn(InputSchema):
    pep: bool
    pep_source: str = Field("", max_length=300)
    high_risk_country: bool
    cash: bool
    unusual_price: bool
    other_factors: str = Field("", max_length=5000)
    result: RiskResult
    reasoning: str = Field(..., max_length=10000)
    source_of_funds: str = Field("", max_length=10000)


class GwgRiskOut(Schema):
    pep: bool
    pep_source: str
    pep_checked_on: dt.date
    high_risk_country: bool
    cash: bool
    unusual_price: bool
    other_factors: str
    result: str
    reasoning: str
    source_of_funds: str
    assessed_at: dt.datetime


class GwgChecklistItemOut(Schema):
    label: str
    done: bool
    hint: str


class GwgCaseOut(Schema):
    id: int
    kind: str
    status: str
    origin: str
    property_id: int | None
    property_label: str
    price: Decimal | None
    monthly_rent: Decimal | None
    opened_on: dt.date
    ended_on: dt.date | None
    agent_id: int | None


class GwgCaseDetailOut(GwgCaseOut):
    parties: list[GwgPartyOut]
    risk_assessment: GwgRiskOut | None
    checklist: list[GwgChecklistItemOut]
    complete: bool


class GwgCaseFilter(Schema):
    status: CaseStatus | None = None
    search: str = Field("", max_length=100, description="Property or party name")


class GwgNoteIn(InputSchema):
    facts: str = Field(..., max_length=20000)
    decision: NoteDecision
    reasons: str = Field("", max_length=20000)
    reported_on: dt.date | None = None
    report_reference: str = Field("", max_length=100)


class GwgNoteOut(Schema):
    id: int
    facts: str
    decision: str
    reasons: str
    reported_on: dt.date | None
    report_reference: str
    created_by_id: int | None
    created_at: dt.datetime


class GwgRiskAnalysisIn(InputSchema):
    text: str = Field(..., max_length=200000)
    review_due: dt.date


class GwgRiskAnalysisOut(Schema):
    id: int
    version: int
    text: str
    review_due: dt.date
    created_by_id: int | None
    created_at: dt.datetime


def _detail(request: ApiRequest, case_id: int) -> dict[str, Any]:
    user = request.auth
    case = selectors.case_get(user=user, pk=case_id)
    analysis = selectors.risk_analysis_current(user=user)
    check = case_checklist(case, risk_analysis_due=analysis.review_due if analysis else None)
    data = GwgCaseOut.from_orm(case).dict()
    data.update(
        parties=list(case.parties.all()),
        risk_assessment=getattr(case, "risk", None),
        checklist=[{"label": i.label, "done": i.done, "hint": i.hint} for i in check.items],
        complete=check.complete,
    )
    return data


@router.get("/gwg/cases", response=list[GwgCaseOut], summary="GwG cases of the office")
@paginate(Page)
def case_list_api(request: ApiRequest, filters: Query[GwgCaseFilter]) -> Any:
    user = require(request, Capability.GWG)
    return selectors.cases(user=user, status=filters.status or "", search=filters.search)


@router.post("/gwg/cases", response={201: GwgCaseDetailOut}, summary="Open a GwG case")
def case_create_api(request: ApiRequest, body: GwgCaseIn) -> Any:
    user = require(request, Capability.GWG)
    prop = property_for_case(user, body.property_id)
    case = services.case_open(
        office=request.office,
        acting_user=user,
        kind=body.kind,
        property_id=prop.pk if prop else None,
        property_label=f"{prop.external_id} {prop.title}".strip() if prop else "",
        price=body.price,
        monthly_rent=body.monthly_rent,
    )
    return Status(201, _detail(request, case.pk))


@router.get("/gwg/cases/{case_id}", response=GwgCaseDetailOut, summary="A GwG case with everything in it")
def case_get_api(request: ApiRequest, case_id: int) -> Any:
    require(request, Capability.GWG)
    return _detail(request, case_id)


@router.patch("/gwg/cases/{case_id}", response=GwgCaseDetailOut, summary="Change price or rent of a case")
def case_patch_api(request: ApiRequest, case_id: int, body: GwgCasePatch) -> Any:
    user = require(request, Capability.GWG)
    case = selectors.case_get(user=user, pk=case_id)
    services.case_update(case=case, acting_user=user, **body.dict(exclude_unset=True))
    return _detail(request, case_id)


@router.post(
    "/gwg/cases/{case_id}/close",
    response=GwgCaseDetailOut,
    summary="The business relationship ended: the five-year retention starts at the end of that year",
)
def case_close_api(request: ApiRequest, case_id: int, body: GwgCaseCloseIn) -> Any:
    user = require(request, Capability.GWG)
    case = selectors.case_get(user=user, pk=case_id)
    services.case_close(case=case, acting_user=user, ended_on=body.ended_on)
    return _detail(request, case_id)


@router.post("/gwg/cases/{case_id}/parties", response={201: GwgPartyOut}, summary="Add a party to a case")
def party_create_api(request: ApiRequest, case_id: int, body: GwgPartyIn) -> Any:
    user = require(request, Capability.GWG)
    case = selectors.case_get(user=user, pk=case_id)
    contact = contact_for_party(user, body.contact_id)
    data = body.dict()
    data["contact_id"] = contact.pk if contact else None
    data["name"] = body.name or (contact.display_name if contact else "")
    party = services.party_add(case=case, acting_user=user, **data)
    return Status(201, selectors.party_get(user=user, pk=party.pk))


@router.patch("/gwg/parties/{party_id}", response=GwgPartyOut, summary="Change a party")
def party_patch_api(request: ApiRequest, party_id: int, body: GwgPartyPatch) -> Any:
    user = require(request, Capability.GWG)
    party = selectors.party_get(user=user, pk=party_id)
    services.party_update(party=party, acting_user=user, **body.dict(exclude_unset=True, exclude_none=True))
    return selectors.party_get(user=user, pk=party_id)


@router.delete("/gwg/parties/{party_id}", response={204: None}, summary="Remove a party from its case")
def party_delete_api(request: ApiRequest, party_id: int) -> Any:
    user = require(request, Capability.GWG)
    services.party_remove(party=selectors.party_get(user=user, pk=party_id), acting_user=user)
    return Status(204, None)


@router.put(
    "/gwg/parties/{party_id}/identification",
    response=GwgIdentificationOut,
    summary="Record or correct the identification of a natural person",
)
def identification_put_api(request: ApiRequest, party_id: int, body: GwgIdentificationIn) -> Any:
    user = require(request, Capability.GWG)
    party = selectors.party_get(user=user, pk=party_id)
    values = body.dict(exclude_none=True)
    return services.identification_save(party=party, acting_user=user, **values)


@router.get(
    "/gwg/parties/{party_id}/identification", response=GwgIdentificationOut, summary="The identification"
)
def identification_get_api(request: ApiRequest, party_id: int) -> Any:
    user = require(request, Capability.GWG)
    return selectors.identification_get(user=user, party_id=party_id)


@router.post(
    "/gwg/parties/{party_id}/identification/id-copy",
    response={201: GwgIdentificationOut},
    summary="Store the copy of the ID document (multipart field `file`; PDF, JPEG or PNG; kept encrypted)",
)
def id_copy_upload_api(request: ApiRequest, party_id: int, file: File[UploadedFile]) -> Any:
    user = require(request, Capability.GWG)
    ident = selectors.identification_get(user=user, party_id=party_id)
    return Status(
        201, services.id_copy_store(ident=ident, acting_user=user, data=file.read(), filename=file.name or "")
    )


@router.get(
    "/gwg/parties/{party_id}/identification/id-copy",
    response={200: None},
    summary="The copy of the ID document (every view is logged)",
)
def id_copy_download_api(request: ApiRequest, party_id: int) -> Any:
    user = require(request, Capability.GWG)
    ident = selectors.identification_get(user=user, party_id=party_id)
    data, mime, name = services.id_copy_open(ident=ident, acting_user=user, purpose="api")
    return _private_file(data, mime, name)


def _private_file(data: bytes, mime: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store, private"
    return response


@router.post(
    "/gwg/parties/{party_id}/transparency-extract",
    response={201: GwgPartyOut},
    summary="Store the Transparency Register extract of a legal person (multipart `file`, `checked_on`)",
)
def transparency_upload_api(
    request: ApiRequest, party_id: int, file: File[UploadedFile], checked_on: Form[dt.date | None] = None
) -> Any:
    user = require(request, Capability.GWG)
    party = selectors.party_get(user=user, pk=party_id)
    services.transparency_extract_store(
        party=party, acting_user=user, data=file.read(), checked_on=checked_on
    )
    return Status(201, selectors.party_get(user=user, pk=party_id))


@router.post(
    "/gwg/parties/{party_id}/beneficial-owners",
    response={201: GwgBeneficialOwnerOut},
    summary="Add a beneficial owner of a legal person",
)
def beneficial_owner_create_api(request: ApiRequest, party_id: int, body: GwgBeneficialOwnerIn) -> Any:
    user = require(request, Capability.GWG)
    party = selectors.party_get(user=user, pk=party_id)
    return Status(201, services.beneficial_owner_add(party=party, acting_user=user, **body.dict()))


@router.delete("/gwg/beneficial-owners/{owner_id}", response={204: None}, summary="Remove a beneficial owner")
def beneficial_owner_delete_api(request: ApiRequest, owner_id: int) -> Any:
    user = require(request, Capability.GWG)
    services.beneficial_owner_remove(
        owner=selectors.beneficial_owner_get(user=user, pk=owner_id), acting_user=user
    )
    return Status(204, None)


@router.put("/gwg/cases/{case_id}/risk-assessment", response=GwgRiskOut, summary="Assess the risk of a case")
def risk_put_api(request: ApiRequest, case_id: int, body: GwgRiskIn) -> Any:
    user = require(request, Capability.GWG)
    case = selectors.case_get(user=user, pk=case_id)
    return services.risk_assess(case=case, acting_user=user, **body.dict())


@router.get(
    "/gwg/cases/{case_id}/suspicion-notes",
    response=list[GwgNoteOut],
    summary="Suspicion notes of a case (never part of a Datenauskunft, §47 GwG)",
)
def notes_list_api(request: ApiRequest, case_id: int) -> Any:
    user = require(request, Capability.GWG)
    return list(selectors.suspicion_notes(user=user, case=selectors.case_get(user=user, pk=case_id)))


@router.post(
    "/gwg/cases/{case_id}/suspicion-notes", response={201: GwgNoteOut}, summary="Record a suspicion note"
)
def notes_create_api(request: ApiRequest, case_id: int, body: GwgNoteIn) -> Any:
    user = require(request, Capability.GWG)
    case = selectors.case_get(user=user, pk=case_id)
    return Status(201, services.suspicion_note_add(case=case, acting_user=user, **body.dict()))


@router.get(
    "/gwg/cases/{case_id}/dossier",
    response={200: None},
    summary="The dossier for the supervisory authority: PDF, or ZIP with the copies (`?format=zip`)",
)
def dossier_api(request: ApiRequest, case_id: int, format: Literal["pdf", "zip"] = "pdf") -> Any:
    user = require(request, Capability.GWG)
    case = selectors.case_get(user=user, pk=case_id)
    if format == "zip":
        return _private_file(
            dossier.dossier_zip(case=case, user=user), "application/zip", f"gwg-akte-{case.pk}.zip"
        )
    return _private_file(
        dossier.dossier_pdf(case=case, user=user), "application/pdf", f"gwg-akte-{case.pk}.pdf"
    )


@router.get(
    "/gwg/risk-analysis",
    response=list[GwgRiskAnalysisOut],
    summary="The office risk analysis, newest version first",
)
def risk_analysis_list_api(request: ApiRequest) -> Any:
    user = require(request, Capability.GWG)
    return list(selectors.risk_analyses(user=user))


@router.post(
    "/gwg/risk-analysis",
    response={201: GwgRiskAnalysisOut},
    summary="Save a new version of the risk analysis",
)
def risk_analysis_create_api(request: ApiRequest, body: GwgRiskAnalysisIn) -> Any:
    user = require(request, Capability.GWG)
    return Status(
        201,
        services.risk_analysis_save(
            office=request.office, acting_user=user, text=body.text, review_due=body.review_due
        ),
    )
