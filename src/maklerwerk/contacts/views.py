from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import InvalidPage, Page
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from maklerwerk.accounts.http import AuthedRequest
from maklerwerk.accounts.permissions import require_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.contacts import duplicates, importing, intake, selectors, services, vcard
from maklerwerk.contacts.forms import (
    COMPANY,
    OTHER,
    PERSONAL,
    ContactForm,
    EmailFormSet,
    PhoneFormSet,
    RelationshipForm,
    VCardUploadForm,
    rows,
)
from maklerwerk.contacts.models import Contact, RelationshipKind, Role
from maklerwerk.contacts.normalize import format_iban, format_phone
from maklerwerk.core import csvsafe
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.history_display import history_context, history_more
from maklerwerk.core.ids import parse_id, parse_ids
from maklerwerk.core.keyset import Cursor, KeysetPage, cursor_decode, cursor_encode, keyset_page, order_key
from maklerwerk.core.pagination import CappedPaginator
from maklerwerk.core.selectors import job_get
from maklerwerk.core.tabs import actions_for, badges_for, rendered_tabs_for

PAGE_SIZE = 50
SORTS = {"name", "company", "city", "last_activity", "created"}


# --- List ------------------------------------------------------------------------------------


def _list_params(request: AuthedRequest) -> dict[str, Any]:
    sort = request.GET.get("sort", "name")
    if sort.lstrip("-") not in SORTS:
        sort = "name"
    agent = request.GET.get("agent", "")
    return {
        "q": request.GET.get("q", "").strip()[:100],
        "role": request.GET.get("role", "") if request.GET.get("role") in Role.values else "",
        "tag": request.GET.get("tag", "").strip(),
        "agent": parse_id(agent),
        "sort": sort,
    }


def _filtered(request: AuthedRequest, params: dict[str, Any], *, paged: bool = False) -> Any:
    return selectors.contact_list(
        user=request.user,
        search=params["q"],
        role=params["role"] or None,
        tag=params["tag"] or None,
        responsible_agent_id=params["agent"],
        ordering=params["sort"],
        paged=paged,
    )


class CursorPage(Page):
    """A page of the list opened by a cursor (`?after=` / `?before=`, core.keyset): the links carry
    the cursor, so page 200 costs what page 1 costs; the page number is for the reader."""

    def __init__(self, window: KeysetPage, paginator: CappedPaginator) -> None:
        super().__init__(window.rows, window.offset // PAGE_SIZE + 1, paginator)
        self.window = window

    def has_next(self) -> bool:
        return self.window.next is not None

    def has_previous(self) -> bool:
        return self.window.previous is not None

    def start_index(self) -> int:
        return self.window.offset + 1 if self.window.rows else 0

    def end_index(self) -> int:
        return self.window.offset + len(self.window.rows)

    def link(self, cursor: Cursor | None) -> str:
        if cursor is None:
            return ""
        page = cursor.offset // PAGE_SIZE + (0 if cursor.backward else 1)
        if cursor.backward and cursor.offset <= PAGE_SIZE:
            return f"page={max(page, 1)}"  # the first page needs no cursor
        return f"page={page}&{'before' if cursor.backward else 'after'}={cursor_encode(cursor)}"

    @property
    def next_query(self) -> str:
        return self.link(self.window.next)

    @property
    def previous_query(self) -> str:
        return self.link(self.window.previous)


def _page(request: AuthedRequest, params: dict[str, Any], paginator: CappedPaginator) -> CursorPage:
    """The page the request asks for: by cursor, or by number (offset, bounded by the count's cap)."""
    rows = selectors.contact_list_page(_filtered(request, params, paged=True))
    text = request.GET.get("after") or request.GET.get("before")
    if text:
        try:
            cursor = cursor_decode(text, rows)
        except ApplicationError as exc:
            messages.warning(request, exc.message)
        else:
            return CursorPage(keyset_page(rows, cursor, PAGE_SIZE), paginator)
    number = paginator.validate_number(request.GET.get("page") or 1)
    if number <= 1:
        return CursorPage(keyset_page(rows, None, PAGE_SIZE), paginator)
    # A page by number (a bookmark): one offset read, with cursors to go on from there.
    offset = (number - 1) * PAGE_SIZE
    listed = list(selectors.contact_list_page(_filtered(request, params))[offset : offset + PAGE_SIZE + 1])
    field = order_key(rows)[0]  # type: ignore[index]  # contact_list orders by one field and pk
    page_rows = listed[:PAGE_SIZE]
    if not page_rows:
        raise InvalidPage(number)
    after = page_rows[-1] if len(listed) > PAGE_SIZE else None
    return CursorPage(
        KeysetPage(
            page_rows,
            offset,
            Cursor(getattr(after, field), after.pk, offset + PAGE_SIZE) if after else None,
            Cursor(getattr(page_rows[0], field), page_rows[0].pk, offset, backward=True),
        ),
        paginator,
    )


@require_capability(Capability.VIEW)
@require_GET
def contact_list(request: AuthedRequest) -> HttpResponse:
    params = _list_params(request)
    paginator = CappedPaginator(
        _filtered(request, params),
        PAGE_SIZE,
        counter=lambda: selectors.contact_count(
            user=request.user,
            search=params["q"],
            role=params["role"] or None,
            tag=params["tag"] or None,
            responsible_agent_id=params["agent"],
        ),
    )
    try:
        page = _page(request, params, paginator)
    except InvalidPage:
        first = selectors.contact_list_page(_filtered(request, params, paged=True))
        page = CursorPage(keyset_page(first, None, PAGE_SIZE), paginator)
    query = request.GET.copy()
    for name in ("page", "after", "before"):
        query.pop(name, None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    columns = [
        ("name", _("Name")),
        ("company", _("Company")),
        (None, _("E-mail / phone")),
        ("city", _("City")),
        (None, _("Roles")),
        ("last_activity", _("Last activity")),
        ("created", _("Created")),
    ]
    context = {
        "page": page,
        "params": params,
        "query": query.urlencode(),
        "sort_query": sort_query.urlencode(),
        "columns": columns,
        "roles": Role.choices,
        "tags": selectors.tag_list(user=request.user),
        "agents": request.office.users.filter(is_active=True).order_by("last_name"),
        "can_edit": request.user.can(Capability.EDIT),
    }
    template = "contacts/list.html"
    if request.htmx and request.htmx.target == "results":
        template += "#results"
    return render(request, template, context)


@require_capability(Capability.VIEW)
@require_http_methods(["GET", "POST"])
def contact_export(request: AuthedRequest) -> HttpResponseBase:
    """vCard or CSV of the selected contacts (POST ids) or of the whole filtered list (GET)."""
    source = request.POST if request.method == "POST" else request.GET
    fmt = source.get("format", "vcf")
    if request.method == "POST":
        ids = parse_ids(request.POST.getlist("ids"))
        if not ids:
            messages.error(request, _("Select at least one contact."))
            return redirect("contacts:list")
        qs = selectors.contact_list(user=request.user, ids=ids)
    else:
        qs = _filtered(request, _list_params(request))
    qs = selectors.contact_list_page(qs)
    if fmt == "csv":
        response = StreamingHttpResponse(
            _csv_rows(qs.iterator(chunk_size=1000)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="kontakte.csv"'
        return response
    version = "3.0" if source.get("version") == "3.0" else "4.0"
    response = StreamingHttpResponse(
        (vcard.export([c], version) for c in qs.iterator(chunk_size=1000)),
        content_type="text/vcard; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="kontakte.vcf"'
    return response


def _csv_rows(contacts: Any) -> Any:
    buffer = io.StringIO()
    writer = csvsafe.writer(buffer, delimiter=";")  # no formulas (CSV injection)
    header = ["ID", "Anrede", "Titel", "Vorname", "Nachname", "Firma", "Straße", "Hausnummer", "PLZ", "Ort",
              "Land", "E-Mail", "Telefon", "Rollen", "Schlagwörter", "IBAN", "Angelegt"]  # fmt: skip
    writer.writerow(header)
    yield "\ufeff" + buffer.getvalue()  # BOM: Excel opens UTF-8 correctly
    for c in contacts:
        buffer.seek(0)
        buffer.truncate()
        emails = ", ".join(e.value for e in c.emails.all())
        phones = ", ".join(format_phone(p.value) for p in c.phones.all())
        roles = ", ".join(str(r.get_role_display()) for r in c.roles.all())
        tags = ", ".join(t.name for t in c.tags.all())
        salutation = c.get_salutation_display() if c.salutation else ""
        writer.writerow(
            [c.pk, salutation, c.title, c.first_name, c.last_name, c.company_name, c.street, c.house_number,
             c.postal_code, c.city, c.country, emails, phones, roles, tags, format_iban(c.iban),
             c.created_at.date().isoformat()]
        )  # fmt: skip
        yield buffer.getvalue()


@require_capability(Capability.EDIT)
@require_POST
def contact_bulk_tag(request: AuthedRequest) -> HttpResponse:
    ids = parse_ids(request.POST.getlist("ids"))
    if not ids:
        messages.error(request, _("Select at least one contact."))
    else:
        try:
            added = services.contacts_tag(
                office=request.office,
                acting_user=request.user,
                contact_ids=ids,
                tag_name=request.POST.get("tag", ""),
            )
            messages.success(
                request,
                _("Tag “%(tag)s” added to %(n)s contacts.")
                % {"tag": request.POST["tag"].strip(), "n": added},
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return redirect(reverse("contacts:list") + "?" + request.POST.get("query", ""))


@require_capability(Capability.VIEW)
@require_GET
def contact_lookup(request: AuthedRequest) -> JsonResponse:
    """Contacts for the relationship picker (Tom Select), by the list's indexed search."""
    q = request.GET.get("q", "").strip()
    exclude = request.GET.get("exclude", "")
    found = (
        selectors.contact_choices(
            user=request.user,
            search=q,
            exclude_id=parse_id(exclude),
        )
        if len(q) >= 2
        else []
    )
    return JsonResponse(
        {"results": [{"id": c.pk, "text": f"{c.sort_name} · {c.city}".strip(" ·")} for c in found]}
    )


# --- Create and edit, with the duplicate dialog ------------------------------------------------


COMPARED = (
    "first_name",
    "last_name",
    "company_name",
    "street",
    "house_number",
    "postal_code",
    "city",
    "birth_date",
)


def _compare_rows(data: dict[str, Any], candidates: Sequence[intake.Candidate]) -> list[dict[str, Any]]:
    """Side-by-side rows (field, new value, each candidate's value, differs?) for the dialog."""

    def values(c: Contact | None) -> dict[str, str]:
        if c is None:
            d = data
            emails = ", ".join(e["value"] for e in d.get("emails", []))
            phones = ", ".join(format_phone(p["value"]) for p in d.get("phones", []))
        else:
            d = {k: getattr(c, k) for k in COMPARED}
            emails = ", ".join(e.value for e in c.emails.all())
            phones = ", ".join(format_phone(p.value) for p in c.phones.all())
        return {
            _("Name"): " ".join(p for p in (d.get("first_name"), d.get("last_name")) if p),
            _("Company"): d.get("company_name") or "",
            _("E-mail"): emails,
            _("Phone"): phones,
            _("Address"): " ".join(p for p in (d.get("street"), d.get("house_number")) if p),
            _("City"): " ".join(p for p in (d.get("postal_code"), d.get("city")) if p),
            _("Birth date"): d["birth_date"].strftime("%d.%m.%Y") if d.get("birth_date") else "",
        }

    new = values(None)
    others = [values(c.contact) for c in candidates]
    return [
        {
            "label": label,
            "new": new[label],
            "cells": [
                {"value": o[label], "differs": o[label].casefold() != new[label].casefold()} for o in others
            ],
        }
        for label in new
    ]


def _form_context(form: ContactForm, emails: Any, phones: Any, contact: Contact | None) -> dict[str, Any]:
    return {
        "form": form,
        "emails": emails,
        "phones": phones,
        "contact": contact,
        "sections": [
            ("personal", _("Personal"), [form[f] for f in PERSONAL]),
            ("company", _("Company"), [form[f] for f in COMPANY]),
            ("other", _("Other"), [form[f] for f in OTHER]),
        ],
    }


def _edit(request: AuthedRequest, contact: Contact | None) -> HttpResponse:
    office = request.office
    user = request.user
    if request.method == "GET":
        initial = {} if contact else {"responsible_agent": user.pk}
        form = ContactForm(instance=contact, office=office, initial=initial)
        emails = EmailFormSet(
            prefix="emails",
            initial=[{"value": e.value, "kind": e.kind} for e in contact.emails.all()] if contact else None,
        )
        phones = PhoneFormSet(
            prefix="phones",
            initial=[{"value": format_phone(p.value), "kind": p.kind} for p in contact.phones.all()]
            if contact
            else None,
        )
        return render(request, "contacts/form.html", _form_context(form, emails, phones, contact))
    form = ContactForm(request.POST, instance=contact or Contact(office=office), office=office)
    emails = EmailFormSet(request.POST, prefix="emails")
    phones = PhoneFormSet(request.POST, prefix="phones")
    context = _form_context(form, emails, phones, contact)
    if not all([form.is_valid(), emails.is_valid(), phones.is_valid()]):
        return _invalid(request, context)
    data: dict[str, Any] = {**form.to_data(), "emails": rows(emails), "phones": rows(phones)}
    decision = request.POST.get("duplicate_decision", "")
    decided = decision in ("save_anyway", "merge")
    try:
        if contact is None:
            seen = tuple(i for i in (parse_id(v) for v in request.POST.getlist("candidate")) if i)
            result = intake.contact_intake(
                intake.NewContact.from_data(data),
                office=office,
                acting_user=user,
                source=intake.IntakeSource.FORM,
                override=intake.Override(candidate_ids=seen) if decided else None,
            )
            if not isinstance(result, intake.Created) or result.contact is None:  # the form asks
                context.update(
                    candidates=result.candidates, compare=_compare_rows(result.data, result.candidates)
                )
                return render(request, "contacts/form.html", context, status=409)
            contact = result.contact
            messages.success(request, _("Contact “%s” created.") % contact.display_name)
        else:
            updated = _update(request, contact, data, decided, context)
            if isinstance(updated, HttpResponse):
                return updated
            contact = updated
            messages.success(request, _("Contact “%s” saved.") % contact.display_name)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _invalid(request, context)
    merge_with = request.POST.get("merge_with", "")
    if decision == "merge" and (merge_id := parse_id(merge_with)):
        existing = selectors.contact_get(user=user, pk=merge_id)
        return redirect("duplicates:merge", existing.pk, contact.pk)
    return redirect("contacts:detail", contact.pk)


def _invalid(request: AuthedRequest, context: dict[str, Any]) -> HttpResponse:
    messages.error(request, _("Please correct the marked fields."))
    return render(request, "contacts/form.html", context, status=422)


def _update(
    request: AuthedRequest, contact: Contact, data: dict[str, Any], decided: bool, context: dict[str, Any]
) -> Contact | HttpResponse:
    """Save an edit; the changed data may now resemble another contact: ask as on creation."""
    user = request.user
    data = services.contact_validate(office=contact.office, data=data)
    note = ""
    if decided:
        note = _("Saved despite possible duplicate %(ids)s (decided by %(user)s)") % {
            "ids": ", ".join(f"#{i}" for i in request.POST.getlist("candidate") if i.isdigit()),
            "user": user,
        }
    else:
        candidates = duplicates.check_duplicates(
            office=contact.office, data=services.duplicate_check_data(data), exclude_id=contact.pk
        )
        if candidates:
            context.update(candidates=candidates, compare=_compare_rows(data, candidates))
            return render(request, "contacts/form.html", context, status=409)
    return services.contact_update(contact=contact, acting_user=user, data=data, history_note=note)


@require_capability(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def contact_create(request: AuthedRequest) -> HttpResponse:
    return _edit(request, None)


@require_capability(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def contact_update(request: AuthedRequest, pk: int) -> HttpResponse:
    return _edit(request, selectors.contact_get(user=request.user, pk=pk))


@require_capability(Capability.DELETE)
@require_POST
def contact_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    contact = selectors.contact_get(user=request.user, pk=pk)
    name = contact.display_name
    services.contact_delete(contact=contact, acting_user=request.user)
    messages.success(request, _("Contact “%s” deleted.") % name)
    return redirect("contacts:list")


# --- Detail ----------------------------------------------------------------------------------


@require_capability(Capability.VIEW)
@require_GET
def contact_history(request: AuthedRequest, pk: int) -> HttpResponse:
    """A further (older) page of the history tab, as table rows for htmx."""
    return history_more(request, selectors.contact_get(user=request.user, pk=pk), "contacts:history")


@require_capability(Capability.VIEW)
@require_GET
def contact_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    contact = selectors.contact_get(user=user, pk=pk)
    context: dict[str, Any] = {"contact": contact}
    extra_tabs = rendered_tabs_for("contact", request, contact)
    context.update(
        emails=list(contact.emails.all()),
        phones=[(p, format_phone(p.value)) for p in contact.phones.all()],
        roles=[r.get_role_display() for r in contact.roles.all()],
        tags=list(contact.tags.all()),
        files=list(contact.files.select_related("uploaded_by")),
        related=selectors.contact_relationships(contact),
        relationship_form=RelationshipForm(),
        relationship_kinds=RelationshipKind.choices,
        **history_context(contact, "contacts:history"),
        extra_tabs=extra_tabs,
        extra_actions=actions_for("contact", contact.pk, request.user),
        extra_badges=badges_for("contact", request, contact),
        iban=format_iban(contact.iban),
        company_phone=format_phone(contact.company_phone) if contact.company_phone else "",
        max_upload=settings.MAX_UPLOAD_BYTES,
        can_edit=user.can(Capability.EDIT),
        can_delete=user.can(Capability.DELETE),
    )
    return render(request, "contacts/detail.html", context)


@require_capability(Capability.VIEW)
@require_GET
def contact_vcard(request: AuthedRequest, pk: int) -> HttpResponse:
    selectors.contact_get(user=request.user, pk=pk)
    contact = selectors.contact_list_page(selectors.contact_list(user=request.user, ids=[pk])).get()
    version = "3.0" if request.GET.get("version") == "3.0" else "4.0"
    response = HttpResponse(vcard.export([contact], version), content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kontakt-{pk}.vcf"'
    return response


# --- Files -----------------------------------------------------------------------------------


@require_capability(Capability.EDIT)
@require_POST
def file_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    contact = selectors.contact_get(user=request.user, pk=pk)
    uploads = request.FILES.getlist("files")
    if not uploads:
        messages.error(request, _("Please choose at least one file."))
    else:
        try:
            services.contact_files_add(contact=contact, acting_user=request.user, uploads=uploads)
            messages.success(request, _("%s file(s) uploaded.") % len(uploads))
        except ApplicationError as exc:
            messages.error(request, exc.message + " " + _("Nothing was uploaded."))
    return redirect(reverse("contacts:detail", args=[pk]) + "#files")


@require_capability(Capability.VIEW)
@require_GET
def file_download(request: AuthedRequest, pk: int, file_id: int) -> FileResponse:
    row = selectors.contact_file_get(user=request.user, contact_id=pk, pk=file_id)
    try:
        handle = row.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=row.name)


@require_capability(Capability.EDIT)
@require_POST
def file_delete(request: AuthedRequest, pk: int, file_id: int) -> HttpResponse:
    row = selectors.contact_file_get(user=request.user, contact_id=pk, pk=file_id)
    services.contact_file_delete(file=row, acting_user=request.user)
    messages.success(request, _("File “%s” deleted.") % row.name)
    return redirect(reverse("contacts:detail", args=[pk]) + "#files")


# --- Relationships ---------------------------------------------------------------------------


def _relationship_error(request: AuthedRequest, exc: Exception) -> None:
    if isinstance(exc, ApplicationError):
        messages.error(request, exc.message)
    elif isinstance(exc, ValidationError):
        messages.error(request, " ".join(exc.messages))


@require_capability(Capability.EDIT)
@require_POST
def relationship_create(request: AuthedRequest, pk: int) -> HttpResponse:
    contact = selectors.contact_get(user=request.user, pk=pk)
    form = RelationshipForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a person and a relationship."))
    else:
        other = selectors.contact_get(user=request.user, pk=form.cleaned_data["other"])
        try:
            services.relationship_create(
                contact=contact,
                other=other,
                kind=form.cleaned_data["kind"],
                label=form.cleaned_data["label"],
                inverse_label=form.cleaned_data["inverse_label"],
                acting_user=request.user,
            )
            messages.success(request, _("%s added to the related people.") % other.display_name)
        except (ApplicationError, ValidationError) as exc:
            _relationship_error(request, exc)
    return redirect(reverse("contacts:detail", args=[pk]) + "#related")


@require_capability(Capability.EDIT)
@require_POST
def relationship_update(request: AuthedRequest, pk: int, rel_id: int) -> HttpResponse:
    contact = selectors.contact_get(user=request.user, pk=pk)
    rel = selectors.relationship_get(user=request.user, contact_id=pk, pk=rel_id)
    try:
        services.relationship_update(
            relationship=rel,
            acting_user=request.user,
            kind=request.POST.get("kind", ""),
            label=request.POST.get("label", ""),
            inverse_label=request.POST.get("inverse_label", ""),
            seen_from=contact,
        )
        messages.success(request, _("Relationship changed."))
    except (ApplicationError, ValidationError) as exc:
        _relationship_error(request, exc)
    return redirect(reverse("contacts:detail", args=[pk]) + "#related")


@require_capability(Capability.EDIT)
@require_POST
def relationship_delete(request: AuthedRequest, pk: int, rel_id: int) -> HttpResponse:
    rel = selectors.relationship_get(user=request.user, contact_id=pk, pk=rel_id)
    services.relationship_delete(relationship=rel, acting_user=request.user)
    messages.success(request, _("Relationship removed."))
    return redirect(reverse("contacts:detail", args=[pk]) + "#related")


# --- vCard import ----------------------------------------------------------------------------


@require_capability(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def vcard_import(request: AuthedRequest) -> HttpResponse:
    """Upload → preview job → preview of every entry → import job (with progress) → summary.

    The parsing, the duplicate check and the import run as background jobs; `?job=` shows one.
    """

    office = request.office
    form = VCardUploadForm()
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and "token" in request.POST:
        token = request.POST["token"]
        pending = request.session.get("vcard_imports", {})
        if token not in pending:
            messages.error(request, _("This import has expired; please upload the file again."))
            return redirect("contacts:import")
        try:
            job = importing.vcard_import_start(
                office=office,
                acting_user=request.user,
                token=token,
                filename=pending[token],
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("contacts:import")
        pending.pop(token, None)
        request.session["vcard_imports"] = pending
        return redirect(reverse("contacts:import") + f"?job={job.pk}")
    if request.method == "POST":
        form = VCardUploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                importing.check_size(upload.size)
                job, token = importing.vcard_preview_start(
                    office=office,
                    acting_user=request.user,
                    raw=upload.read(),
                    filename=upload.name,
                )
            except ApplicationError as exc:
                form.add_error("file", exc.message)
                return render(request, "contacts/import.html", context, status=422)
            pending = request.session.get("vcard_imports", {})
            pending[token] = upload.name
            request.session["vcard_imports"] = pending
            return redirect(reverse("contacts:import") + f"?job={job.pk}")
    elif request.GET.get("job"):
        job = job_get(user=request.user, pk=request.GET["job"])
        if job.kind not in {"contacts.vcard_preview", "contacts.vcard_import"}:
            raise Http404
        context["job"] = job
        if job.state == job.State.SUCCEEDED and job.kind == "contacts.vcard_preview":
            result = job.result
            if result.get("token") in request.session.get("vcard_imports", {}):
                context.update(
                    preview=result["rows"],
                    token=result["token"],
                    filename=result["filename"],
                    counts=result["counts"],
                )
        elif job.state == job.State.SUCCEEDED:
            context.update(summary=job.result, filename=job.result.get("filename", ""))
    return render(request, "contacts/import.html", context)
