"""The tour PDF: one A4 page with the open link of the published tour and its QR code, and, when
the tour needs registration, the recipient's personal link to the full tour (a grant: sending this
PDF with an offer grants access). Rendered by WeasyPrint, which fetches nothing but `data:` URIs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import urllib.request
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from maklerwerk.exposes.extras import OfferExtraFor
from maklerwerk.mailing.services import Attachment
from maklerwerk.tours import services
from maklerwerk.tours.models import Grant, Tour
from maklerwerk.tours.publishing import published_tour

if TYPE_CHECKING:
    from maklerwerk.properties.models import Property

OFFER_EXTRA = "tour_pdf"


def qr_data_uri(url: str) -> str:
    import segno  # the exposé renderer's QR library; imported where used, as there

    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=4, border=1, dark="#1d273b")
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def tour_pdf(tour: Tour, *, personal_url: str = "", valid_until: str = "") -> bytes:
    from weasyprint import HTML  # 0.4 s to import: only when a PDF is made

    prop = tour.property
    html = render_to_string(
        "tours/tour_pdf.html",
        {
            "tour": tour,
            "property": prop,
            "office": tour.office,
            "open_url": tour.open_url,
            "open_qr": qr_data_uri(tour.open_url),
            "personal_url": personal_url,
            "personal_qr": qr_data_uri(personal_url) if personal_url else "",
            "valid_until": valid_until,
        },
    )
    return bytes(HTML(string=html, url_fetcher=_DataOnly()).write_pdf())


class _DataOnly:
    """WeasyPrint may fetch `data:` URIs (the QR codes) and nothing else."""

    _fail_on_errors = False  # read by weasyprint.urls.fetch: a refused URL is skipped, not fatal

    def __call__(self, url: str) -> Any:
        from weasyprint.urls import URLFetcherResponse

        if url.lower().startswith("data:"):
            request = urllib.request.Request(url)  # noqa: S310 - only data: gets here
            with urllib.request.DataHandler().data_open(request) as resp:
                return URLFetcherResponse(url, resp.read(), {"Content-Type": resp.headers["Content-type"]})
        raise ValueError(f"URL not allowed in the tour PDF: {url[:80]}")


def filename(tour: Tour) -> str:
    return f"Rundgang {slugify(tour.property.external_id) or tour.property_id}.pdf"


def _offer_token(tour: Tour, ref: str) -> str:
    """The personal token of the grant an offer mail carries: derived from the mail, so a retried
    mail carries the same link and grants nothing twice."""
    key = hashlib.sha256(settings.SECRET_KEY.encode() + b"tours.offer-grant").digest()
    mac = hmac.new(key, f"{tour.pk}:{ref}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:24]).decode().rstrip("=")


def offer_available(prop: Property) -> bool:
    return published_tour(prop, "expose") is not None


def offer_attachment(what: OfferExtraFor) -> Attachment | None:
    """The tour PDF for one offer mail; for a tour that needs registration with the recipient's
    personal link (granting access, default 30 days, revocable like any grant)."""
    tour = published_tour(what.prop, "expose")
    if tour is None:
        return None
    personal = valid = ""
    if tour.gated:
        token = _offer_token(tour, what.ref)
        grant = Grant.objects.filter(token_hash=services.token_hash(token)).first()
        if grant is None:
            grant, _t = services.grant_create(
                tour=tour, contact=what.contact, acting_user=what.acting_user, send=False, token=token
            )
        personal = services.grant_url(token, office_id=tour.office_id)
        valid = timezone.localtime(grant.expires_at).strftime("%d.%m.%Y")
    return Attachment(
        filename(tour), tour_pdf(tour, personal_url=personal, valid_until=valid), "application/pdf"
    )
