from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from maklerwerk.accounts.permissions import require_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.core.exceptions import ApplicationError
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
def index(request: HttpRequest) -> HttpResponse:
    """The Dubletten page: groups found by the last search, its progress, the office thresholds."""
    user = request.user
    groups = selectors.duplicate_groups(user=user)  # type: ignore[arg-type]
    for group in groups:
        group.rows = [  # type: ignore[attr-defined]
            {"pair": p, "reasons": reason_texts(p.codes), "percent": round(p.score * 100)}
            for p in group.pairs
        ]
    settings_obj = services.duplicate_settings_get(office=request.office)  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "groups": groups,
        "job": selectors.duplicate_search_last(user=user),  # type: ignore[arg-type]
        "form": ThresholdForm(instance=settings_obj),
        "can_manage": user.can(Capability.MANAGE_OFFICE),  # type: ignore[union-attr]
        "can_edit": user.can(Capability.EDIT),  # type: ignore[union-attr]
        "can_merge": user.can(Capability.DELETE),  # type: ignore[union-attr]
    }
    return render(request, "duplicates/index.html", context)


@require_capability(Capability.EDIT)
@require_POST
def search_start(request: HttpRequest) -> HttpResponse:
    services.duplicate_search_start(office=request.office, acting_user=request.user)  # type: ignore[attr-defined,arg-type]
    messages.info(request, _("The duplicate search has started."))
    return redirect("duplicates:index")


@require_capability(Capability.MANAGE_OFFICE)
@require_POST
def settings_update(request: HttpRequest) -> HttpResponse:
    form = ThresholdForm(request.POST)
    if form.is_valid():
        try:
            services.duplicate_settings_update(
                office=request.office,  # type: ignore[attr-defined]
                acting_user=request.user,  # type: ignore[arg-type]
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
def not_duplicate(request: HttpRequest) -> HttpResponse:
    ids = parse_ids(request.POST.getlist("contact_ids"))
    services.not_duplicate_mark(office=request.office, acting_user=request.user, contact_ids=ids)  # type: ignore[attr-defined,arg-type]
    messages.success(request, _("Marked as different people."))
    return redirect("duplicates:index")


@require_capability(Capability.DELETE)
@require_http_methods(["GET", "POST"])
def merge(request: HttpRequest, a: int, b: int) -> HttpResponse:
    """Merge contact `b` into contact `a`: pick each field, see what moves, confirm."""
    from maklerwerk.contacts.models import Contact

    office = request.office  # type: ignore[attr-defined]
    contacts = Contact.objects.filter(office=office).in_bulk([a, b])
    if request.method == "POST":
        choices = {
            key.removeprefix("field_"): value
            for key, value in request.POST.items()
            if key.startswith("field_") and value in {"a", "b"}
        }
        try:
            survivor = merging.contacts_merge(
                office=office,
                survivor_id=a,
                other_id=b,
                acting_user=request.user,
                choices=choices,  # type: ignore[arg-type]
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("duplicates:index")
        messages.success(request, _("Contacts merged: %(name)s") % {"name": survivor.display_name})
        return redirect(_contact_url(survivor.pk))
    if a not in contacts or b not in contacts:
        raise Http404
    survivor, other = contacts[a], contacts[b]
    defaults = merging.default_choices(survivor, other)
    rows = []
    for field in merging.mergeable_fields():
        va, vb = field.value_from_object(survivor), field.value_from_object(other)
        if va in (None, "") and vb in (None, ""):
            continue
        rows_values = [_shown(survivor, field, va), _shown(other, field, vb)]
        rows.append(
            {
                "name": field.name,
                "label": field.verbose_name,
                "a": rows_values[0],
                "b": rows_values[1],
                "differs": va != vb,
                "choice": defaults.get(field.name, "a"),
            }
        )
    counts = []
    for label, n_a, n_b in _related_summary(a, b):
        counts.append({"label": label, "a": n_a, "b": n_b})
    context = {
        "survivor": survivor,
        "other": other,
        "rows": rows,
        "counts": counts,
        "emails": [list(survivor.emails.all()), list(other.emails.all())],
        "phones": [list(survivor.phones.all()), list(other.phones.all())],
        "survivor_url": _contact_url(a),
        "other_url": _contact_url(b),
    }
    return render(request, "duplicates/merge.html", context)


def _shown(contact: Any, field: Any, value: Any) -> str:
    """A field value as users read it: choice labels, ja/nein, '' for empty."""
    if value in (None, ""):
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    display = getattr(contact, f"get_{field.name}_display", None)
    if display is not None:
        return str(display())
    return str(getattr(contact, field.name))


def _related_summary(a: int, b: int) -> list[tuple[str, int, int]]:
    """(what, rows on a, rows on b) for every related table that has any: all of it moves."""
    out = []
    for model, field in merging.contact_relations():
        qs = model._default_manager
        n_a = qs.filter(**{field.attname: a}).count()
        n_b = qs.filter(**{field.attname: b}).count()
        if n_a or n_b:
            out.append((str(model._meta.verbose_name_plural), n_a, n_b))
    return out
