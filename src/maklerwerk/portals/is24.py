"""The ImmobilienScout24 transport of a transfer run: entry by entry over the REST API.

Per property: upsert the real estate by its Kennung (`ext-{Kennung}`: GET, then POST or a full
PUT), bring the pictures in line (key `img-{picture id}`, checksum MD5 of the bytes sent: new ones
are added, changed ones replaced, removed ones deleted, then the order is set so the first picture
is the title picture), the links other apps publish with it (a virtual tour: IS24 "Link"
attachments, `link-{n}`), then publish on channel 10000 unless it is published. A DELETE unpublishes
and deletes the real estate. Each entry is marked done when its calls succeeded, so a resumed run
skips what already went out; publishing happens one listing at a time (this loop), as IS24 asks.
The IS24 id goes to the inquiry manager's portal listings (its inquiry mails name that id).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from maklerwerk.exposes.render import expose_pdf_for
from maklerwerk.inquiries.services import portal_listing_forget, portal_listing_record
from maklerwerk.integrations.is24 import mapping
from maklerwerk.integrations.is24.client import CHANNEL_IS24, Credentials, Is24Client, Is24Error
from maklerwerk.integrations.openimmo import mapping as oi
from maklerwerk.portals.exporters import openimmo
from maklerwerk.portals.models import Is24Connection, Portal, PortalAssignment, TransferEntry, TransferRun
from maklerwerk.portals.stop import Stop
from maklerwerk.properties import media
from maklerwerk.properties.models import Property, PropertyImage

SOURCE = "immoscout24"  # inquiries.models.Source.IMMOSCOUT24
EXPOSE_URL = "https://www.immobilienscout24.de/expose/{id}"


def expose_url(realestate_id: str) -> str:
    return EXPOSE_URL.format(id=realestate_id)


NO_ACCOUNT_HINT = (
    "ImmobilienScout24: Der zuständige Makler hat kein eigenes IS24-Konto verbunden, und das Büro hat "
    "keinen Access-Token eingetragen."
)


def client_for(portal: Portal, connection: Is24Connection | None = None) -> Is24Client:
    """The client of an agent's own IS24 account (`connection`), else of the office's token."""
    return Is24Client(
        Credentials(
            base_url=portal.api_url,
            consumer_key=portal.consumer_key,
            consumer_secret=portal.get_secret("consumer"),
            token=connection.access_token if connection else portal.access_token,
            token_secret=connection.get_secret() if connection else portal.get_secret("access"),
        )
    )


def _account_for(entry: TransferEntry, connections: dict[int, Is24Connection]) -> str:
    """Where a listing not yet at IS24 goes: its responsible agent's own account, else the office's."""
    agent_id = entry.property.responsible_agent_id if entry.property else None
    return f"user:{agent_id}" if agent_id in connections else "office"


def _account_set(portal: Portal, entry: TransferEntry, account: str) -> None:
    if entry.property_id is None:
        return
    PortalAssignment.objects.filter(portal=portal, property_id=entry.property_id).update(is24_account=account)


def connection_check(portal: Portal) -> str:
    if not portal.connected or not portal.consumer_key:
        return "ImmobilienScout24: Consumer Key und Access-Token fehlen."
    try:
        client_for(portal).realestate_by_external_id("maklerwerk-verbindungstest")
    except Is24Error as exc:
        return exc.hint
    return "OK: ImmobilienScout24 verbunden."


def _metadata(pic: openimmo.Picture, checksum: str, title_picture: bool) -> dict[str, Any]:
    return {
        "@xsi.type": "common:Picture",
        "title": pic.image.caption[:30],
        "externalId": f"img-{pic.image.pk}",
        "externalCheckSum": checksum,
        "floorplan": "true" if pic.image.kind == PropertyImage.Kind.FLOOR_PLAN else "false",
        "titlePicture": "true" if title_picture else "false",
    }


def _sync_pictures(client: Is24Client, realestate_id: str, pics: list[openimmo.Picture], max_kb: int) -> None:
    existing = {a.get("externalId"): a for a in client.attachments(realestate_id)}
    order: list[str] = []
    wanted: set[str] = set()
    title_done = False
    for pic in pics:
        data = openimmo.picture_bytes(pic.image, max_kb, pic.source)  # the 360° title copy, if any
        checksum = hashlib.md5(data, usedforsecurity=False).hexdigest()
        title = not title_done and pic.image.kind == PropertyImage.Kind.PHOTO
        title_done = title_done or title
        key = f"img-{pic.image.pk}"
        wanted.add(key)
        found = existing.get(key)
        if found is not None and found.get("externalCheckSum") == checksum:
            order.append(str(found["@id"]))
            continue
        if found is not None:  # the binary cannot change on IS24: replace it
            client.attachment_delete(realestate_id, str(found["@id"]))
        new_id = client.attachment_create(
            realestate_id,
            content=data,
            filename=pic.name,
            mime="image/png" if pic.name.endswith(".png") else "image/jpeg",
            metadata=_metadata(pic, checksum, title),
        )
        order.append(new_id)
    others = []  # attachments this function does not own (links): kept, after the pictures
    for external_id, attachment in existing.items():
        if str(external_id).startswith("img-") and external_id not in wanted:
            client.attachment_delete(realestate_id, str(attachment["@id"]))
        elif external_id not in wanted:
            others.append(str(attachment["@id"]))
    if order:
        client.attachments_order(realestate_id, order + others)


def _sync_links(client: Is24Client, realestate_id: str, prop: Property, channel: str) -> None:
    """The links other apps publish with the property (a published virtual tour's open link) as
    IS24 "Link" attachments, keyed `link-{n}` with a checksum of URL and title: a new or changed
    link is (re)created, one that is no longer published (the tour switched off, or off for this
    portal) is deleted. Pictures are `_sync_pictures`' own."""
    existing = {
        str(a.get("externalId")): a
        for a in client.attachments(realestate_id)
        if str(a.get("externalId", "")).startswith("link-")
    }
    wanted: set[str] = set()
    for n, link in enumerate(media.extra_links(prop, channel), start=1):
        key = f"link-{n}"
        checksum = hashlib.md5(f"{link.url}\n{link.title}".encode(), usedforsecurity=False).hexdigest()
        wanted.add(key)
        found = existing.get(key)
        if found is not None and found.get("externalCheckSum") == checksum:
            continue
        if found is not None:
            client.attachment_delete(realestate_id, str(found["@id"]))
        client.link_attachment_create(
            realestate_id, url=link.url, title=link.title, external_id=key, checksum=checksum
        )
    for key, attachment in existing.items():
        if key not in wanted:
            client.attachment_delete(realestate_id, str(attachment["@id"]))


# --- PDF attachments (the exposé and the property's unprotected documents) -----------------------


@dataclass(frozen=True)
class PdfDocument:
    key: str  # externalId on IS24: "pdf-expose" or "pdf-doc-{id}"
    title: str
    filename: str
    content: bytes


def pdf_documents(prop: Property) -> list[PdfDocument]:
    """What goes to IS24 as PDF: the exposé (as rendered for recipients) and every document not
    marked "protected" (those are only shared through personal links)."""
    name, _mime, pdf = expose_pdf_for(prop)
    out = [PdfDocument("pdf-expose", "Exposé", openimmo.ascii_name(name.removesuffix(".pdf")) + ".pdf", pdf)]
    for doc in prop.documents.filter(protected=False).order_by("kind", "title", "pk"):
        if not (doc.file.name or "").lower().endswith(".pdf"):
            continue
        with doc.file.open("rb") as f:
            content = f.read()
        out.append(
            PdfDocument(f"pdf-doc-{doc.pk}", doc.title[:30], f"{openimmo.ascii_name(doc.title)}.pdf", content)
        )
    return out


def _sync_documents(client: Is24Client, realestate_id: str, documents: list[PdfDocument]) -> None:
    """Bring the PDFs on IS24 in line, by checksum: new ones added, changed ones replaced (the
    binary cannot change there), removed ones deleted. Pictures and links are left alone."""
    existing = {
        str(a.get("externalId")): a
        for a in client.attachments(realestate_id)
        if str(a.get("externalId", "")).startswith("pdf-")
    }
    for doc in documents:
        checksum = hashlib.md5(doc.content, usedforsecurity=False).hexdigest()
        found = existing.pop(doc.key, None)
        if found is not None and found.get("externalCheckSum") == checksum:
            continue
        if found is not None:
            client.attachment_delete(realestate_id, str(found["@id"]))
        metadata = {"@xsi.type": "common:PDFDocument", "title": doc.title, "externalId": doc.key,
                    "externalCheckSum": checksum}  # fmt: skip
        client.attachment_create(
            realestate_id,
            content=doc.content,
            filename=doc.filename,
            mime="application/pdf",
            metadata=metadata,
        )
    for gone in existing.values():
        client.attachment_delete(realestate_id, str(gone["@id"]))


def _upsert(client: Is24Client, entry: TransferEntry, portal: Portal, scout_id: str = "") -> str:
    """`scout_id`: the listing's id at IS24 where it is known (sent before, or taken over from the
    old system): that listing is updated, whatever its externalId; else it is found by the Kennung."""
    prop = entry.property
    assert prop is not None, "send_entries hands only NEW/CHANGE entries here, planned with their property"
    channel = openimmo.channel_of(portal)
    pics = openimmo.pictures(prop, portal.picture_limit, channel)
    body = mapping.realestate_body(openimmo.listing_for(prop, oi.ACTION_CHANGE, pics, channel))
    if scout_id and client.realestate(scout_id) is not None:
        realestate_id = scout_id
        client.realestate_update_by_id(realestate_id, body)  # a full replacement
    elif (existing := client.realestate_by_external_id(prop.external_id)) is not None:
        realestate_id = str(existing["@id"])
        client.realestate_update(prop.external_id, body)
    else:
        realestate_id = client.realestate_create(body)
    if portal.send_pdfs:
        _sync_documents(client, realestate_id, pdf_documents(prop))
    _sync_pictures(client, realestate_id, pics, portal.picture_max_kb)
    _sync_links(client, realestate_id, prop, channel)
    if CHANNEL_IS24 not in client.published_channels(realestate_id):
        client.publish(realestate_id, CHANNEL_IS24)
    portal_listing_record(
        office_id=portal.office_id, property_id=prop.pk, source=SOURCE, portal_id=realestate_id
    )
    return realestate_id


def _withdraw(client: Is24Client, entry: TransferEntry, portal: Portal) -> None:
    existing = client.realestate_by_external_id(entry.external_id)
    if existing is not None:
        realestate_id = str(existing["@id"])
        client.unpublish(realestate_id, CHANNEL_IS24)
        client.realestate_delete(realestate_id)
    if entry.property_id:
        portal_listing_forget(office_id=portal.office_id, property_id=entry.property_id, source=SOURCE)


def _mark(entry: TransferEntry, result: str, hint: str = "", object_id: str = "") -> None:
    entry.result, entry.hint, entry.portal_object_id = result, hint[:2000], object_id
    entry.save(update_fields=["result", "hint", "portal_object_id"])


def send_entries(run: TransferRun) -> Stop | None:
    """Send the run's pending entries; why the run stopped, or None. An entry IS24 refuses (412)
    is marked and the run goes on; a refused token stops it; a rate limit, a 5xx or a lost
    connection stops it with `retry`, leaving the entry pending for the next run."""
    portal = run.portal
    pending = (
        run.entries.filter(result=TransferEntry.Result.PENDING).select_related("property").order_by("pk")
    )
    connections = {c.user_id: c for c in Is24Connection.objects.filter(portal=portal)}
    if not portal.connected and not connections:
        return Stop(
            "ImmobilienScout24 ist nicht verbunden: Consumer Key und Access-Token beim Portal eintragen."
        )
    # A listing already online stays in its account (one sent before accounts were noted: the office's).
    assignments = PortalAssignment.objects.filter(
        portal=portal, property_id__in=pending.values("property_id")
    )
    rows = list(assignments.values_list("property_id", "is24_account", "online_since", "portal_object_id"))
    accounts = {pk: account or ("office" if online else "") for pk, account, online, _id in rows}
    scout_ids = {pk: scout_id for pk, _a, _o, scout_id in rows if scout_id}  # known there: updated by id
    clients: dict[str, Is24Client] = {}
    for entry in pending:
        account = (accounts.get(entry.property_id) if entry.property_id else "") or _account_for(
            entry, connections
        )
        if account not in clients:
            user_id = int(account.removeprefix("user:")) if account.startswith("user:") else None
            if user_id is None and not portal.connected:
                _mark(entry, TransferEntry.Result.ERROR, NO_ACCOUNT_HINT)
                continue
            clients[account] = client_for(portal, connections.get(user_id) if user_id else None)
        client = clients[account]
        try:
            if entry.action == TransferEntry.Action.DELETE:
                _withdraw(client, entry, portal)
                _mark(entry, TransferEntry.Result.OK)
                _account_set(portal, entry, "")
            elif entry.action in (TransferEntry.Action.NEW, TransferEntry.Action.CHANGE):
                scout_id = scout_ids.get(entry.property_id or 0, "")
                _mark(entry, TransferEntry.Result.OK, object_id=_upsert(client, entry, portal, scout_id))
                _account_set(portal, entry, account)
        except mapping.UnsupportedType as exc:
            _mark(entry, TransferEntry.Result.ERROR, str(exc))
        except Is24Error as exc:
            if exc.status == 401 or not exc.permanent:  # the next entries would fail alike
                return Stop(exc.hint, retry=not exc.permanent, retry_after=exc.retry_after)
            _mark(entry, TransferEntry.Result.ERROR, exc.hint)
    return None
