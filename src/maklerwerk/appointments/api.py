import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from maklerwerk.accounts.http import ApiRequest
from maklerwerk.accounts.models import User
from maklerwerk.accounts.roles import Capability
from maklerwerk.api.auth import require
from maklerwerk.api.schemas import InputSchema, Page
from maklerwerk.appointments import booking, feed, invitations, selectors, services, slots
from maklerwerk.appointments import feedback as feedback_mod
from maklerwerk.appointments.models import Appointment, ViewingBooking, ViewingSlot
from maklerwerk.appointments.series import SeriesRule
from maklerwerk.core.exceptions import ApplicationError, NotFoundError
from maklerwerk.properties.models import PropertyContact
from maklerwerk.properties.selectors import property_get

router = Router(tags=["appointments"])

# Ninja validates these against the model's choices at run time; the checker sees plain strings.
if TYPE_CHECKING:
    Kind = str
    State = str
    Mode = str
    BookingMode = str
    InterestStatus = str
else:
    Kind = Literal[tuple(Appointment.Kind.values)]
    State = Literal[tuple(Appointment.Status.values)]
    Mode = Literal[tuple(ViewingSlot.Mode.values)]
    BookingMode = Literal[tuple(ViewingSlot.Booking.values)]
    InterestStatus = Literal[tuple(PropertyContact.InterestStatus.values)]


class AppointmentOut(Schema):
    id: int
    kind: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    all_day: bool
    location: str
    video_url: str
    property_id: int | None
    contact_ids: list[int]
    user_ids: list[int] = Field(description="Colleagues who attend besides the responsible user")
    responsible_user_id: int | None
    status: str
    notes: str
    feedback: str
    uid: str
    sequence: int
    updated_at: dt.datetime

    @staticmethod
    def resolve_contact_ids(obj: Appointment) -> list[int]:
        return sorted(c.pk for c in obj.contacts.all())

    @staticmethod
    def resolve_user_ids(obj: Appointment) -> list[int]:
        return sorted(u.pk for u in obj.users.all())

    @staticmethod
    def resolve_responsible_user_id(obj: Appointment) -> int | None:
        return obj.responsible_id


class AppointmentWriteOut(AppointmentOut):
    conflicts: list[int] = Field(
        description="Open appointments of the responsible user at the same time (a warning: it was saved)"
    )

    @staticmethod
    def resolve_conflicts(obj: Appointment, context: dict[str, Any]) -> list[int]:
        if not obj.is_open:
            return []
        user = context["request"].auth
        found = selectors.overlapping(
            user=user,
            responsible_id=obj.responsible_id,
            starts_at=obj.starts_at,
            ends_at=obj.ends_at,
            exclude_pk=obj.pk,
        )
        return [a.pk for a in found]


class AppointmentIn(InputSchema):
    kind: Kind = "viewing"
    title: str = Field("", max_length=200)
    starts_at: dt.datetime
    ends_at: dt.datetime
    all_day: bool = False
    location: str = Field(
        "", max_length=300, description="Default: the live link, else the property's address"
    )
    video_url: str = Field(
        "", max_length=1000, description="Online viewing: the provider's live session or any video room"
    )
    property_id: int | None = None
    contact_ids: list[int] = []
    user_ids: list[int] = Field([], description="Colleagues who attend besides the responsible user")
    responsible_user_id: int | None = Field(None, description="Default: the caller")
    notes: str = ""


class AttendeeFeedbackIn(InputSchema):
    contact_id: int
    interest_status: InterestStatus | None = Field(
        None, description="Set on the contact's prospect link to the property; empty: unchanged"
    )
    feedback: str = Field("", max_length=5000)


class AppointmentPatchIn(InputSchema):
    kind: Kind | None = None
    title: str | None = Field(None, max_length=200)
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    location: str | None = Field(None, max_length=300)
    all_day: bool | None = None
    video_url: str | None = Field(None, max_length=1000)
    contact_ids: list[int] | None = None
    user_ids: list[int] | None = None
    responsible_user_id: int | None = None
    notes: str | None = None
    status: State | None = Field(
        None, description="done/no_show write the activity; cancelled frees the seat"
    )
    feedback: str | None = None
    attendee_feedback: list[AttendeeFeedbackIn] | None = Field(
        None, description="What each attendee said; its interest status updates the property link"
    )


class AppointmentFilter(Schema):
    starts_from: dt.datetime | None = Field(None, alias="from")
    until: dt.datetime | None = Field(None, alias="to")
    user_id: int | None = None
    contact_id: int | None = None
    property_id: int | None = None
    kind: Kind | None = None
    status: State | None = None


class SentOut(Schema):
    contact_id: int
    email: str
    error: str


class SlotOut(Schema):
    id: int
    property_id: int
    agent_id: int | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    booked: int
    location: str
    mode: str
    booking_mode: str
    visible_from: dt.datetime | None
    visible_until: dt.datetime | None
    cancelled: bool

    @staticmethod
    def resolve_cancelled(obj: ViewingSlot) -> bool:
        return obj.cancelled_at is not None


class SeriesIn(InputSchema):
    first_day: dt.date
    start: dt.time
    end: dt.time
    minutes: int = Field(20, ge=5, le=1440)
    weeks: int = Field(1, ge=1, le=52)
    capacity: int = Field(1, ge=1, le=100)
    mode: Mode = "in_person"
    booking_mode: BookingMode = Field("direct", description="request: the agent confirms each booking")
    location: str = Field("", max_length=300)
    visible_from: dt.datetime | None = Field(None, description="Bookable from (empty: now)")
    visible_until: dt.datetime | None = Field(None, description="Bookable until (empty: until it starts)")


def _responsible(user: User, user_id: int | None) -> User:
    if user_id is None:
        return user
    found = User.objects.filter(pk=user_id, office=user.office_id, is_active=True).first()
    if found is None:
        raise ApplicationError(_("Unknown user."), extra={"field": "responsible_user_id"})
    return found


@router.get("/appointments", response=list[AppointmentOut], summary="List appointments")
@paginate(Page)
def appointment_list_api(request: ApiRequest, filters: Query[AppointmentFilter]) -> Any:
    user = require(request, Capability.VIEW)
    qs = selectors.appointment_list(
        user=user,
        start=filters.starts_from,
        end=filters.until,
        contact_id=filters.contact_id,
        property_id=filters.property_id,
        responsible_id=filters.user_id,
    )
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs.prefetch_related("contacts", "users")


@router.post("/appointments", response={201: AppointmentWriteOut}, summary="Create an appointment")
def appointment_create_api(request: ApiRequest, payload: AppointmentIn) -> Status:
    user = require(request, Capability.EDIT)
    data = payload.dict()
    if data["property_id"] is not None:
        property_get(user=user, pk=data["property_id"])  # 404 unless visible
    data["responsible"] = _responsible(user, data.pop("responsible_user_id"))
    return Status(201, services.appointment_create(office=request.office, acting_user=user, **data))


@router.get("/appointments/{appointment_id}", response=AppointmentOut, summary="One appointment")
def appointment_get_api(request: ApiRequest, appointment_id: int) -> Appointment:
    user = require(request, Capability.VIEW)
    return selectors.appointment_get(user=user, pk=appointment_id)


@router.patch(
    "/appointments/{appointment_id}",
    response=AppointmentWriteOut,
    summary="Change an appointment (a new time or place counts up the invitation's SEQUENCE)",
)
def appointment_patch_api(
    request: ApiRequest, appointment_id: int, payload: AppointmentPatchIn
) -> Appointment:
    user = require(request, Capability.EDIT)
    appointment = selectors.appointment_get(user=user, pk=appointment_id)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    status, feedback = changes.pop("status", None), changes.pop("feedback", "")
    said = changes.pop("attendee_feedback", None)
    if "responsible_user_id" in changes:
        changes["responsible"] = _responsible(user, changes.pop("responsible_user_id"))
    if changes:
        services.appointment_update(appointment=appointment, acting_user=user, **changes)
    if status is not None and status != appointment.status:
        services.appointment_set_status(
            appointment=appointment, status=status, feedback=feedback, acting_user=user
        )
    if said:
        items = [
            feedback_mod.Said(i["contact_id"], i.get("interest_status") or "", i.get("feedback", ""))
            for i in said
        ]
        feedback_mod.attendee_feedback_save(appointment=appointment, items=items, acting_user=user)
    return selectors.appointment_get(user=user, pk=appointment_id)


@router.delete(
    "/appointments/{appointment_id}",
    response={204: None},
    summary="Delete an appointment (a booked seat is freed; to tell the contacts, set status cancelled)",
)
def appointment_delete_api(request: ApiRequest, appointment_id: int) -> Status:
    user = require(request, Capability.DELETE)
    appointment = selectors.appointment_get(user=user, pk=appointment_id)
    services.appointment_delete(appointment=appointment, acting_user=user)
    return Status(204, None)


@router.post(
    "/appointments/{appointment_id}/invite",
    response=list[SentOut],
    summary="Mail the invitation (.ics REQUEST, or CANCEL when cancelled) to every contact",
)
def appointment_invite_api(request: ApiRequest, appointment_id: int) -> list[dict[str, Any]]:
    user = require(request, Capability.EDIT)
    appointment = selectors.appointment_get(user=user, pk=appointment_id)
    sent = invitations.invitation_send(appointment=appointment, acting_user=user)
    return [{"contact_id": s.contact.pk, "email": s.email, "error": s.error} for s in sent]


@router.get(
    "/properties/{property_id}/viewing-slots", response=list[SlotOut], summary="Upcoming viewing slots"
)
def slot_list_api(request: ApiRequest, property_id: int) -> Any:
    user = require(request, Capability.VIEW)
    prop = property_get(user=user, pk=property_id)
    return list(selectors.slot_list(user=user, property_id=prop.pk))


class SlotIn(InputSchema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int = Field(1, ge=1, le=100)
    location: str = Field("", max_length=300, description="Default: the property's address")
    mode: Mode = "in_person"
    booking_mode: BookingMode = Field("direct", description="request: the agent confirms each booking")
    visible_from: dt.datetime | None = Field(None, description="Bookable from (empty: now)")
    visible_until: dt.datetime | None = Field(None, description="Bookable until (empty: until it starts)")


@router.post(
    "/properties/{property_id}/viewing-slots", response={201: SlotOut}, summary="Create one viewing slot"
)
def slot_create_api(request: ApiRequest, property_id: int, payload: SlotIn) -> Status:
    user = require(request, Capability.EDIT)
    prop = property_get(user=user, pk=property_id)
    return Status(201, slots.slot_create(prop=prop, acting_user=user, **payload.dict()))


@router.get("/viewing-slots/{slot_id}", response=SlotOut, summary="One viewing slot")
def slot_get_api(request: ApiRequest, slot_id: int) -> ViewingSlot:
    user = require(request, Capability.VIEW)
    return selectors.slot_get(user=user, pk=slot_id)


@router.post(
    "/properties/{property_id}/viewing-slots/series",
    response={201: list[SlotOut]},
    summary="Create viewing slots from a series (local Europe/Berlin times, kept across DST changes)",
)
def slot_series_api(request: ApiRequest, property_id: int, payload: SeriesIn) -> Status:
    user = require(request, Capability.EDIT)
    prop = property_get(user=user, pk=property_id)
    rule = SeriesRule(payload.first_day, payload.start, payload.end, payload.minutes, payload.weeks)
    slots = services.slot_series_create(
        prop=prop,
        acting_user=user,
        rule=rule,
        capacity=payload.capacity,
        location=payload.location,
        mode=payload.mode,
        booking_mode=payload.booking_mode,
        visible_from=payload.visible_from,
        visible_until=payload.visible_until,
    )
    return Status(201, slots)


class FeedOut(Schema):
    url: str = Field(description="https URL of the feed; shown only now, the secret is not stored")
    webcal_url: str


@router.post(
    "/me/calendar-feed",
    response={201: FeedOut},
    summary="Create or rotate the caller's personal iCal feed (the old URL stops working)",
)
def calendar_feed_create_api(request: ApiRequest) -> Status:
    user = require(request, Capability.VIEW)
    url = feed.feed_create(user=user, office=request.office)
    return Status(201, {"url": url, "webcal_url": feed.webcal_url(url)})


@router.delete("/me/calendar-feed", response={204: None}, summary="Revoke the caller's iCal feed")
def calendar_feed_revoke_api(request: ApiRequest) -> Status:
    user = require(request, Capability.VIEW)
    if not feed.feed_revoke(user=user):
        raise NotFoundError(_("No calendar feed."))
    return Status(204, None)


@router.post(
    "/viewing-bookings/{booking_id}/confirm",
    response=AppointmentOut,
    summary="Confirm a prospect's request (the invitation is mailed)",
)
def request_confirm_api(request: ApiRequest, booking_id: int) -> Appointment:
    user = require(request, Capability.EDIT)
    booking_id = selectors.booking_get(user=user, pk=booking_id).pk
    appointment = booking.request_confirm(booking_id=booking_id, acting_user=user)
    booking.request_answer_send(appointment=appointment, acting_user=user)
    return appointment


@router.post(
    "/viewing-bookings/{booking_id}/decline",
    response=AppointmentOut,
    summary="Decline a prospect's request (the seat is freed, the prospect is told)",
)
def request_decline_api(request: ApiRequest, booking_id: int) -> Appointment:
    user = require(request, Capability.EDIT)
    booking_id = selectors.booking_get(user=user, pk=booking_id).pk
    appointment = booking.request_decline(booking_id=booking_id, acting_user=user)
    booking.request_answer_send(appointment=appointment, acting_user=user)
    return appointment


class SlotPatchIn(InputSchema):
    starts_at: dt.datetime | None = Field(None, description="Only while nobody has booked the slot")
    ends_at: dt.datetime | None = None
    capacity: int | None = Field(None, ge=1, le=100, description="Not below the seats already booked")
    location: str | None = Field(None, max_length=300)
    mode: Mode | None = None
    booking_mode: BookingMode | None = None
    visible_from: dt.datetime | None = None
    visible_until: dt.datetime | None = None


class BookingOut(Schema):
    id: int
    contact_id: int
    appointment_id: int | None
    requested: bool
    cancelled: bool
    created_at: dt.datetime

    @staticmethod
    def resolve_cancelled(obj: ViewingBooking) -> bool:
        return obj.cancelled_at is not None


@router.patch("/viewing-slots/{slot_id}", response=SlotOut, summary="Change a viewing slot")
def slot_patch_api(request: ApiRequest, slot_id: int, payload: SlotPatchIn) -> ViewingSlot:
    user = require(request, Capability.EDIT)
    slot = selectors.slot_get(user=user, pk=slot_id)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return slots.slot_update(slot_id=slot.pk, acting_user=user, changes=changes)


@router.delete("/viewing-slots/{slot_id}", response={204: None}, summary="Cancel a viewing slot")
def slot_delete_api(request: ApiRequest, slot_id: int) -> Status:
    user = require(request, Capability.EDIT)
    slot = selectors.slot_get(user=user, pk=slot_id)
    services.slot_cancel(slot=slot, acting_user=user)
    return Status(204, None)


@router.get(
    "/viewing-slots/{slot_id}/bookings", response=list[BookingOut], summary="The bookings of a viewing slot"
)
def slot_bookings_api(request: ApiRequest, slot_id: int) -> Any:
    user = require(request, Capability.VIEW)
    slot = selectors.slot_get(user=user, pk=slot_id)
    return list(ViewingBooking.objects.filter(slot=slot).order_by("created_at", "pk"))
