"""The dossier of a case for the supervisory authority: a PDF (WeasyPrint, as the exposé) and a ZIP
with the PDF and the decrypted copies (ID documents, Transparency Register extracts).

Both are made on request for a user with the GwG permission (checked by the services they call);
every ID copy they contain is logged as viewed with the purpose "dossier".
"""

from __future__ import annotations

import base64
import io
import urllib.request
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import get_valid_filename

from maklerwerk.gwg import selectors, services
from maklerwerk.gwg.access import ensure_gwg
from maklerwerk.gwg.checklist import case_checklist
from maklerwerk.gwg.files import sniff
from maklerwerk.gwg.retention import case_held_until

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User
    from maklerwerk.gwg.models import GwgCase


@dataclass(frozen=True)
class Copy:
    name: str
    mime: str
    data: bytes

    @property
    def data_uri(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode()}"

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")


class _DataOnlyFetcher:
    """WeasyPrint may read `data:` URIs only: nothing on the server, nothing on the network."""

    _fail_on_errors = False

    def __call__(self, url: str) -> Any:
        from weasyprint.urls import URLFetcherResponse

        if url.lower().startswith("data:"):
            request = urllib.request.Request(url)  # noqa: S310 - only data: gets here
            with urllib.request.DataHandler().data_open(request) as resp:
                return URLFetcherResponse(url, resp.read(), {"Content-Type": resp.headers["Content-type"]})
        raise ValueError(f"URL not allowed in a GwG dossier: {url[:80]}")


def _copies(case: GwgCase, user: User) -> dict[int, list[Copy]]:
    """Per party id: its decrypted ID copy or Transparency Register extract."""
    out: dict[int, list[Copy]] = {}
    for party in case.parties.all():
        ident = getattr(party, "identification", None)
        if ident is not None and ident.id_copy:
            data, mime, name = services.id_copy_open(ident=ident, acting_user=user, purpose="dossier")
            out.setdefault(party.pk, []).append(Copy(get_valid_filename(name) or "ausweis", mime, data))
        if party.transparency_extract:
            data = services.transparency_extract_open(party=party, acting_user=user)
            out.setdefault(party.pk, []).append(Copy("transparenzregister.pdf", sniff(data), data))
    return out


def _context(case: GwgCase, user: User, copies: dict[int, list[Copy]]) -> dict[str, Any]:
    analysis = selectors.risk_analysis_current(user=user)
    return {
        "case": case,
        "office": case.office,
        "parties": [{"party": p, "copies": copies.get(p.pk, [])} for p in case.parties.all()],
        "risk": getattr(case, "risk", None),
        "notes": list(selectors.suspicion_notes(user=user, case=case)),
        "checklist": case_checklist(case, risk_analysis_due=analysis.review_due if analysis else None),
        "analysis": analysis,
        "history": selectors.case_history(user=user, case=case, limit=1000),
        "views": list(selectors.id_copy_views(user=user, case=case)[:200]),
        "held_until": case_held_until(case),
        "created_at": timezone.now(),
        "user": user,
    }


def dossier_pdf(*, case: GwgCase, user: User) -> bytes:
    ensure_gwg(user)
    return _render(case, user, _copies(case, user))


def _render(case: GwgCase, user: User, copies: dict[int, list[Copy]]) -> bytes:
    # WeasyPrint takes a second to import; only the dossier needs it (as in exposes.render).
    from weasyprint import HTML

    html = render_to_string("gwg/dossier.html", _context(case, user, copies))
    return bytes(HTML(string=html, base_url=None, url_fetcher=_DataOnlyFetcher()).write_pdf())


def dossier_zip(*, case: GwgCase, user: User) -> bytes:
    """dossier.pdf plus the copies as files (anlagen/<party>-<name>)."""
    ensure_gwg(user)
    copies = _copies(case, user)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("dossier.pdf", _render(case, user, copies))
        for party_id, items in copies.items():
            for item in items:
                zf.writestr(f"anlagen/{party_id}-{item.name}", item.data)
    return buf.getvalue()
