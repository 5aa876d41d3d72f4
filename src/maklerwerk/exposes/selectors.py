"""Reads of the exposés app; scoped by the user's office (and property visibility)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from maklerwerk.contacts.models import Contact
from maklerwerk.core.jobs import job_check
from maklerwerk.exposes.models import ExposeTemplate, Offer, OfferRecipient
from maklerwerk.properties.models import Property
from maklerwerk.properties.selectors import property_get as get
from maklerwerk.properties.selectors import property_hidden_q

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User
    from maklerwerk.contacts.models import Contact
    from maklerwerk.properties.models import Property


def property_get(*, user: User, pk: int) -> Property:

    prop = get(user=user, pk=pk)
    return prop


def contact_get(*, user: User, pk: int) -> Contact:

    try:
        return Contact.objects.get(pk=pk, office=user.office_id)
    except (Contact.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def contacts_for_ids(*, user: User, ids: list[int]) -> list[Contact]:

    found = {c.pk: c for c in Contact.objects.filter(office=user.office_id, pk__in=ids)}
    return [found[i] for i in ids if i in found]


def properties_for_ids(*, user: User, ids: list[int]) -> list[Property]:

    found = {p.pk: p for p in Property.objects.filter(office=user.office_id, pk__in=ids).visible_to(user)}
    return [found[i] for i in ids if i in found]


def expose_template_list(*, user: User) -> QuerySet[ExposeTemplate]:
    return ExposeTemplate.objects.filter(office=user.office_id)


def expose_template_get(*, user: User, pk: int | None) -> ExposeTemplate | None:
    if not pk:
        return None
    try:
        return ExposeTemplate.objects.get(pk=pk, office=user.office_id)
    except (ExposeTemplate.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def _offers(user: User) -> QuerySet[Offer]:
    """The office's offers, without those about a property the user may not see (restricted)."""

    return Offer.objects.filter(office=user.office_id).exclude(
        property_hidden_q(user, "recipients__property")
    )


def offer_get(*, user: User, pk: int) -> Offer:
    try:
        offer = _offers(user).select_related("last_job", "mail_template").get(pk=pk)
    except (Offer.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if offer.last_job is not None and offer.last_job.state == offer.last_job.State.RUNNING:
        job_check(offer.last_job)  # a dead job is declared so (and its work resumed) on read
        offer.refresh_from_db(fields=["last_job"])
    return offer


def offer_recipients(*, offer: Offer) -> QuerySet[OfferRecipient]:
    return offer.recipients.select_related("contact", "property").order_by("pk")


def offer_recipient_for(*, offer_id: int, contact_id: int, property_id: int) -> OfferRecipient | None:
    """The recipient of an offer for one contact and property (the inquiry manager's own offers)."""
    return (
        OfferRecipient.objects.select_related(
            "offer__office", "offer__expose_template", "offer__mail_template"
        )
        .filter(offer_id=offer_id, contact_id=contact_id, property_id=property_id)
        .first()
    )


def offer_counts(*, offer: Offer) -> dict[str, int]:
    S = OfferRecipient.Status
    return offer.recipients.aggregate(
        total=Count("pk"),
        sent=Count("pk", filter=Q(status=S.SENT)),
        failed=Count("pk", filter=Q(status=S.FAILED)),
        skipped=Count("pk", filter=Q(status=S.SKIPPED)),
        unclear=Count("pk", filter=Q(status=S.UNCLEAR)),
        open=Count("pk", filter=Q(status__in=[S.PENDING, S.SENDING])),
    )


def offer_list(
    *, user: User, property_id: int | None = None, contact_id: int | None = None
) -> QuerySet[Offer]:
    qs = _offers(user)
    if property_id:
        qs = qs.filter(recipients__property_id=property_id)
    if contact_id:
        qs = qs.filter(recipients__contact_id=contact_id)
    return qs.distinct()


def offer_overview(*, user: User, search: str = "") -> QuerySet[Offer]:
    """The office's offers, newest first, with recipient counts and the Kennungen offered."""
    S = OfferRecipient.Status
    qs = _offers(user).select_related("mail_template", "created_by")
    for word in search.split()[:3]:
        qs = qs.filter(
            Q(subject__icontains=word)
            | Q(recipients__contact__last_name__istartswith=word)
            | Q(recipients__property__external_id__istartswith=word)
        )
    ids = qs.values("pk")
    return (
        Offer.objects.filter(pk__in=ids)
        .select_related("mail_template", "created_by")
        .annotate(
            total=Count("recipients"),
            sent=Count("recipients", filter=Q(recipients__status=S.SENT)),
            failed=Count("recipients", filter=Q(recipients__status=S.FAILED)),
            open=Count("recipients", filter=Q(recipients__status__in=[S.PENDING, S.SENDING])),
        )
        .order_by("-created_at", "-id")
    )


def offer_kennungen(offers: list[Offer]) -> dict[int, list[str]]:
    """Offer id → the Kennungen of its properties (one query for a page of offers)."""
    out: dict[int, list[str]] = {}
    rows = (
        OfferRecipient.objects.filter(offer__in=offers)
        .values_list("offer_id", "property__external_id")
        .distinct()
        .order_by("offer_id", "property__external_id")
    )
    for offer_id, kennung in rows:
        out.setdefault(offer_id, []).append(kennung)
    return out
