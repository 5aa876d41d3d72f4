"""Apps that react to changes of a property, registered in their `AppConfig.ready()`.

Properties cannot import the apps that build on them: matching records "Neue Treffer" when a
property starts to match a search profile. Such an app registers a `PropertyWatcher`; the property
services ask every watcher what it needs to know before a change and tell it after the change, in
the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from maklerwerk.core.registry import Registry

if TYPE_CHECKING:
    from maklerwerk.properties.models import Property


@dataclass(frozen=True)
class PropertyWatcher:
    key: str
    # What the watcher needs to remember of the stored property before a change.
    before: Callable[[Property], Any]
    # After the change: the property as stored and what `before` returned (None for a new property).
    changed: Callable[[Property, Any], object]
    order: int = 100


PROPERTY_WATCHERS: Registry[PropertyWatcher] = Registry("property watchers")


def states_before(prop: Property) -> dict[str, Any]:
    return {watcher.key: watcher.before(prop) for watcher in PROPERTY_WATCHERS}


def tell_watchers(prop: Property, before: dict[str, Any] | None) -> None:
    for watcher in PROPERTY_WATCHERS:
        watcher.changed(prop, None if before is None else before.get(watcher.key))
