from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Model
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from maklerwerk.accounts.http import AuthedRequest
from maklerwerk.accounts.permissions import require_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.contacts.models import Contact
from maklerwerk.core.exceptions import ApplicationError, NotFoundError
from maklerwerk.core.history_display import display_value
from maklerwerk.core.ids import parse_ids
from maklerwerk.duplicates import merge as merging
from maklerwerk.duplicates import selectors, services
from maklerwerk.duplicates.forms import ThresholdForm
from maklerwerk.duplicates.reasons import reason_texts


def _contact_url(pk: int) -> str:
    try:
        return reverse("contacts:detail", args=[pk])
    except NoReverseMatch:
        return f"/contacts/{pk}/"


@require_capability(Capability.VIEW)
@require_http_methods(["GET"])
def index(request: AuthedRequest) -> HttpResponse:
    """The Dubletten page: groups found by the last search, its progress, the office thresholds."""
    user = request.user
    groups = selectors.duplicate_groups(user=user)
    for group in groups:
        group.rows = [
            {"pair": p, "reasons": reason_texts(p.codes), "percent": round(p.score * 100)}
            for p in group.pairs
        ]
    settings_obj = services.duplicate_settings_get(office=request.office)
    context: dict[str, Any] = {
        "groups": groups,
        "job": selectors.duplicate_search_last(user=user),
        "form": ThresholdForm(instance=settings_obj),
        "can_manage": user.can(Capability.MANAGE_OFFICE),
        "can_edit": user.can(Capability.EDIT),
        "can_merge": user.can(Capability.DELETE),
        "merges": selectors.merge_records_recent(user=user),
    }
    return render(request, "duplicates/index.html", context)


@require_capability(Capability.EDIT)
@require_POST
def search_start(request: AuthedRequest) -> HttpResponse:
    services.duplicate_search_start(office=request.office, acting_user=request.user)
    messages.info(request, _("The duplicate search has started."))
    return redirect("duplicates:index")


@require_capability(Capability.MANAGE_OFFICE)
@require_POST
def settings_update(request: AuthedRequest) -> HttpResponse:
    form = ThresholdForm(request.POST)
    if form.is_valid():
        try:
            services.duplicate_settings_update(
                office=request.office,
                acting_user=request.user,
                **form.cleaned_data,
            )
            messages.success(request, _("Thresholds saved."))
        except Exception as exc:  # ValidationError from full_clean
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("duplicates:index")


@require_capability(Capability.EDIT)
@require_POST
def not_duplicate(request: AuthedRequest) -> HttpResponse:
    ids = parse_ids(request.POST.getlist("contact_ids"))
    services.not_duplicate_mark(office=request.office, acting_user=request.user, contact_ids=ids)
    messages.success(request, _("Marked as different people."))
    return redirect("duplicates:index")


@require_capability(Capability.DELETE)
@require_http_methods(["GET", "POST"])
def merge(request: AuthedRequest, a: int, b: int) -> HttpResponse:
    """Merge contact `b` into contact `a`: see per field what is kept and what is dropped, flip what
    is wrong, confirm. Opened without `?keep=`, the older record is suggested as the one that stays."""

    office = request.office
    contacts = Contact.objects.filter(office=office).in_bulk([a, b])
    if request.method == "POST":
        choices = {
            key.removeprefix("field_"): value
            for key, value in request.POST.items()
            if key.startswith("field_") and value in {"a", "b"}
        }
        try:
            _survivor, record = merging.contacts_merge_recorded(
                office=office,
                survivor_id=a,
                other_id=b,
                acting_user=request.user,
                choices=choices,
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("duplicates:index")
        messages.success(request, _("Contacts merged. You can undo it here."))
        return redirect("duplicates:merge_detail", record.pk)
    if a not in contacts or b not in contacts or a == b:
        raise Http404
    survivor, other = contacts[a], contacts[b]
    if "keep" not in request.GET:
        suggested, _merged = merging.survivor_suggest(survivor, other)
        if suggested.pk != a:
            return redirect(reverse("duplicates:merge", args=[b, a]) + f"?keep={b}")
    defaults = merging.default_choices(survivor, other)
    rows = []
    for field in merging.mergeable_fields():
        va, vb = field.value_from_object(survivor), field.value_from_object(other)
        if va in (None, "") and vb in (None, ""):
            continue
        rows.append(
            {
                "name": field.name,
                "label": capfirst(field.verbose_name),
                "a": _shown(survivor, field, va),
                "b": _shown(other, field, vb),
                "differs": va != vb,
                "choice": defaults.get(field.name, "a"),
            }
        )
    rows.sort(key=lambda r: not r["differs"])  # what the agent decides first
    counts = []
    for label, n_a, n_b in _related_summary(a, b):
        counts.append({"label": label, "a": n_a, "b": n_b})
    context = {
        "survivor": survivor,
        "other": other,
        "rows": rows,
        "differing": sum(1 for r in rows if r["differs"]),
        "counts": counts,
        "emails": [list(survivor.emails.all()), list(other.emails.all())],
        "phones": [list(survivor.phones.all()), list(other.phones.all())],
        "survivor_url": _contact_url(a),
        "other_url": _contact_url(b),
        "undo_days": merging.UNDO_DAYS,
    }
    return render(request, "duplicates/merge.html", context)


@require_capability(Capability.VIEW)
@require_http_methods(["GET"])
def merge_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """One merge: what was kept and dropped per field, and "Rückgängig machen" while it is possible."""
    record = selectors.merge_record_get(user=request.user, pk=pk)
    if record is None:
        raise Http404

    fields = {f.name: f for f in merging.mergeable_fields()}
    changes = []
    for c in record.field_changes:
        field = fields.get(c["field"])
        label = capfirst(field.verbose_name) if field is not None else c["field"]
        changes.append(
            {
                "label": label,
                "kept": display_value(Contact, c["field"], c["kept"]),
                "dropped": display_value(Contact, c["field"], c["dropped"]),
            }
        )
    refusal = merging.undo_refusal(record)
    context = {
        "record": record,
        "changes": changes,
        "moved": _moved_summary(record),
        "refusal": refusal,
        "can_undo": refusal is None and request.user.can(Capability.DELETE),
        "deadline": merging.undo_deadline(record),
        "undo_days": merging.UNDO_DAYS,
        "survivor_exists": Contact.objects.filter(
            pk=record.survivor_contact_id, office=record.office_id
        ).exists(),
        "merged_exists": Contact.objects.filter(
            pk=record.merged_contact_id, office=record.office_id
        ).exists(),
        "survivor_url": _contact_url(record.survivor_contact_id),
        "merged_url": _contact_url(record.merged_contact_id),
    }
    return render(request, "duplicates/merge_detail.html", context)


@require_capability(Capability.DELETE)
@require_POST
def merge_undo(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        record = merging.merge_undo(office=request.office, record_id=pk, acting_user=request.user)
    except NotFoundError as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("duplicates:merge_detail", pk)
    messages.success(
        request,
        _("Merge undone: %(a)s and %(b)s are two contacts again.")
        % {"a": record.survivor_label, "b": record.merged_label},
    )
    return redirect("duplicates:merge_detail", pk)


def _shown(contact: Any, field: Any, value: Any) -> str:
    """A field value as users read it: choice labels, Ja/Nein, German dates and numbers, '' for empty."""
    return display_value(type(contact), field.name, value) or ""


def _moved_summary(record: Any) -> list[tuple[str, int]]:
    """(what, how many) moved from the merged contact to the survivor, e.g. ("Aktivitäten", 3)."""
    from django.apps import apps

    counts: dict[str, int] = {}
    for entry in [*record.moved, *record.generic]:
        try:
            model = apps.get_model(entry["model"])
        except LookupError:
            continue
        if model._meta.auto_created:  # a many-to-many link: named after the model that owns it
            model = model._meta.auto_created
        label = capfirst(str(model._meta.verbose_name_plural))
        counts[label] = counts.get(label, 0) + len(entry["pks"])
    return sorted(counts.items())


# E-mail addresses and phone numbers are listed one by one on the merge page.
_LISTED_ABOVE = {"contacts.ContactEmail", "contacts.ContactPhone"}


def _related_summary(a: int, b: int) -> list[tuple[str, int, int]]:
    """(what, rows on a, rows on b) for every related table that has any: all of it moves."""
    out = []
    for model, field in merging.contact_relations():
        if model._meta.label in _LISTED_ABOVE:
            continue
        qs = model._default_manager
        n_a = qs.filter(**{field.attname: a}).count()
        n_b = qs.filter(**{field.attname: b}).count()
        if n_a or n_b:
            out.append((_relation_label(model), n_a, n_b))
    return out


def _relation_label(model: type[Model]) -> str:
    """The table behind a many-to-many field is named by its owner and the field ("Termine:
    Kontakte"), not by Django's "appointment-contact-Beziehungen"."""
    owner = model._meta.auto_created  # the owning model for such a table, else False
    if isinstance(owner, type):
        field = next(f for f in owner._meta.many_to_many if f.remote_field.through is model)
        return f"{capfirst(str(owner._meta.verbose_name_plural))}: {field.verbose_name}"
    return str(model._meta.verbose_name_plural)
