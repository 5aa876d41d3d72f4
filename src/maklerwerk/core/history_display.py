"""How history rows are shown: the one place that turns ChangeLog entries into what an agent reads.

The history stores plain values (codes, ISO dates, "1300.00", True, lists, and for a merge the
merged record as a dict). Here they become German labels (verbose names), choice labels, "Ja/Nein",
German numbers and dates, comma-separated lists and a readable merge summary.
"""

from __future__ import annotations

import datetime as dt
import decimal
import inspect
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from maklerwerk.core.countries import country_name
from maklerwerk.core.history import history_for
from maklerwerk.core.models import ChangeLog

# Keys of related lists that services put into snapshots (`snapshot(obj, extra={...})`).
EXTRA_LABELS = {
    "emails": _("E-mail addresses"),
    "phones": _("Phone numbers"),
    "roles": _("Roles"),
    "tags": _("Tags"),
    "files": _("Files"),
    "relationships": _("Related people"),
    "images": _("Images"),
    "documents": _("Documents"),
    "contacts": _("Contacts"),
    "contact_role": _("Contact role"),
    "viewers": _("Shared with"),
    "further_contacts": _("Further contacts"),
    "merged_contact": _("Merged contact"),
    "merged_into": _("Merged into"),
    "dropped_rows": _("Not taken over"),
}
# Never shown: internal keys (search keys, normalised copies, the office itself).
HIDDEN = {"office", "search_vector", "self_links", "id", "merge_record"}


def _hidden(name: str) -> bool:
    return name in HIDDEN or name.endswith(("_key", "_normalized", "_keys"))


def _field(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except Exception:
        return None
    return field if isinstance(field, models.Field) else None


def label_for(model: type[models.Model] | None, name: str) -> str:
    """The German label of a history key: the field's verbose name, or a known related list."""
    if name in EXTRA_LABELS:
        return str(EXTRA_LABELS[name])
    field = _field(model, name)
    if field is not None:
        # Auto-generated verbose names ("created by") are plain strings; a catalogue may know them.
        return capfirst(gettext(str(field.verbose_name)))
    return capfirst(gettext(name.replace("_", " ")))


def _list_choices(model: type[models.Model] | None, items: list[Any]) -> dict[str, str]:
    """Labels for a list of codes kept in a JSON field (features, object kinds): the choices class
    of the model's module that knows every code."""
    if model is None or not items or not all(isinstance(i, str) for i in items):
        return {}
    module = sys.modules.get(model.__module__)
    candidates = [c for _n, c in inspect.getmembers(module, inspect.isclass) if issubclass(c, models.Choices)]
    candidates += [c for _n, c in inspect.getmembers(model, inspect.isclass) if issubclass(c, models.Choices)]
    for choices in candidates:
        labels = {str(v): str(label) for v, label in choices.choices}
        if all(i in labels for i in items):
            return labels
    return {}


def _number(value: Any, field: models.Field[Any, Any] | None) -> str | None:
    try:
        number = decimal.Decimal(str(value))
    except (decimal.InvalidOperation, ValueError):
        return None
    places = getattr(field, "decimal_places", None)
    if isinstance(field, models.IntegerField):
        # Whole numbers in our models are years, floors, counts: 1998, not "1.998".
        return formats.number_format(number, decimal_pos=0, use_l10n=True, force_grouping=False)
    if places is None and number == number.to_integral_value():
        places = 0
    return formats.number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)


def display_value(model: type[models.Model] | None, name: str, value: Any) -> str | None:
    """A stored history value as an agent reads it (None for "empty": shown as "–")."""
    if value is None or value == "" or value == [] or value == {}:
        return None
    field = _field(model, name)
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, dict):
        return _dict_summary(model, value)
    if isinstance(value, list):
        labels = _list_choices(model, value)
        parts = [labels.get(str(v)) or display_value(model, "", v) or "–" for v in value]
        return ", ".join(parts)
    coded = _coded_value(model, name, field, value)
    if coded is not None:
        return coded
    if field is not None and field.choices:
        labels = {str(k): str(v) for k, v in field.flatchoices}
        if str(value) in labels:
            return labels[str(value)]
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is not None:
            if timezone.is_aware(parsed):
                parsed = timezone.localtime(parsed)
            return formats.date_format(parsed, "SHORT_DATETIME_FORMAT")
    if isinstance(field, models.DateField) and isinstance(value, str):
        parsed_date = parse_date(value[:10])
        if parsed_date is not None:
            return formats.date_format(parsed_date, "SHORT_DATE_FORMAT")
    if isinstance(field, models.DecimalField | models.FloatField | models.IntegerField) and not isinstance(
        field, models.AutoField
    ):
        return _number(value, field) or str(value)
    if isinstance(value, int | float | decimal.Decimal):
        return _number(value, None) or str(value)
    if isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def _coded_value(
    model: type[models.Model] | None, name: str, field: models.Field[Any, Any] | None, value: Any
) -> str | None:
    """Codes a field keeps without choices: a country ("DE", "DEU"), a related row's id (the
    merge preview reads raw values), or what the model itself names (`history_value`)."""
    hook = getattr(model, "history_value", None)
    shown = hook(name, value) if hook is not None else None
    if shown is not None:
        return str(shown)
    if name == "country" and isinstance(value, str):
        return country_name(value)
    if isinstance(field, models.ForeignKey) and isinstance(value, int) and not isinstance(value, bool):
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value}"
    return None


def _dict_summary(model: type[models.Model] | None, value: dict[str, Any]) -> str:
    """A merged record or other structured value as "Label: value · Label: value"."""
    parts = []
    if isinstance(value.get("id"), int):
        parts.append(f"#{value['id']}")
    for key, item in value.items():
        if _hidden(key):
            continue
        shown = _rows_shown(item) if key == "dropped_rows" else display_value(model, key, item)
        if shown is not None:
            parts.append(f"{label_for(model, key)}: {shown}")
    return " · ".join(parts)


def _rows_shown(items: Any) -> str | None:
    """Rows a merge did not take over ("contacts.ContactRole#5") as "Rolle #5"."""
    if not isinstance(items, list) or not items:
        return None
    parts = []
    for item in items:
        label, _sep, pk = str(item).partition("#")
        try:
            name = str(apps.get_model(label)._meta.verbose_name)
        except (LookupError, ValueError):
            name = label
        parts.append(f"{capfirst(name)} #{pk}" if pk else capfirst(name))
    return ", ".join(parts)


def _merge_link(entry: ChangeLog) -> str | None:
    """The page of the merge behind a merge entry (what it did, undo)."""
    for c in entry.changes:
        record = c.get("new") if c.get("field") == "merged_contact" else None
        if isinstance(record, dict) and isinstance(record.get("merge_record"), int):
            try:
                return reverse("duplicates:merge_detail", args=[record["merge_record"]])
            except NoReverseMatch:
                return None
    return None


def history_rows(entries: Iterable[ChangeLog], labels: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Rows for `core/_history.html`: each entry with its changes as readable (label, old, new)."""
    rows = []
    for entry in entries:
        model = entry.content_type.model_class()
        changes = []
        for c in entry.changes:
            name = c["field"]
            if _hidden(name):
                continue
            old = display_value(model, name, c.get("old"))
            new = display_value(model, name, c.get("new"))
            if old == new and entry.action != ChangeLog.Action.MERGE:
                continue  # e.g. a value that only changed its internal form
            if c.get("delta"):  # a long list's change: what was removed and added (core.history)
                old, new = (f"− {old}" if old else None), (f"+ {new}" if new else None)
            label = (labels or {}).get(name) or label_for(model, name)
            changes.append({"field": name, "label": label, "old": old, "new": new})
        link = _merge_link(entry) if entry.action == ChangeLog.Action.MERGE else None
        rows.append({"entry": entry, "changes": changes, "merge_link": link})
    return rows


# A history tab shows this many entries; older ones come a page at a time ("Ältere Einträge").
HISTORY_PAGE = 50


@dataclass(frozen=True)
class HistoryPage:
    rows: list[dict[str, Any]]
    older: int | None  # the id of the last entry shown, when older ones exist


def history_page(
    instance: models.Model, *, before: str | None = None, limit: int = HISTORY_PAGE
) -> HistoryPage:
    """One page of an object's history, newest first, starting after the entry `before` (an id of
    this object's history). Keyset on (at, id), the order of the index, so the 50th page costs what
    the first does. An unknown `before` is a 404: it names nothing of this object."""
    entries = history_for(instance)
    if before is not None:
        try:
            anchor = entries.values("at", "pk").get(pk=int(before))
        except (ValueError, ChangeLog.DoesNotExist):
            raise Http404(gettext("This history entry does not exist.")) from None
        entries = entries.filter(Q(at__lt=anchor["at"]) | Q(at=anchor["at"], pk__lt=anchor["pk"]))
    page = list(entries.order_by("-at", "-pk")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return HistoryPage(history_rows(page), page[-1].pk if more and page else None)


def history_context(instance: models.Model, url_name: str, *, before: str | None = None) -> dict[str, Any]:
    """What `core/_history.html` (the tab) and `core/_history_rows.html` (a further page) need:
    the rows and the URL of the next older page ("" at the oldest). `url_name` is the object's
    `<pk>/history/` view."""
    page = history_page(instance, before=before)
    url = reverse(url_name, args=[instance.pk])
    more = f"{url}?{urlencode({'before': page.older})}" if page.older else ""
    return {"history": page.rows, "history_more": more}


def history_more(request: HttpRequest, instance: models.Model, url_name: str) -> HttpResponse:
    """A further (older) page of a history tab, as table rows for htmx. The caller's view fetched
    `instance` through its selector: that is the permission check."""
    context = history_context(instance, url_name, before=request.GET.get("before"))
    return render(request, "core/_history_rows.html", context)
