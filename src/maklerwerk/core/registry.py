"""The one way apps contribute to a shared list: a `Registry`, filled in `AppConfig.ready()`.

Dashboard counters and widgets, detail-page tabs and actions, export sections, demo-data seeders and
job kinds are each one `Registry`. An app adds its items explicitly in its `ready()`, never as a side
effect of importing a module, so every process (web, worker, shell, command) knows the same items
once Django has started. A key may be registered once (a second app claiming it is a start-up
error, not a silent overwrite); items come out sorted by their explicit `order`, ties in the order
of registration (INSTALLED_APPS).
A test that needs an item of its own registers it and unregisters it again in a fixture.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured


class Registrable(Protocol):
    @property
    def key(self) -> str: ...


class Registry[T: Registrable]:
    """Items of one kind, unique by `key(item)`, iterated in `order`."""

    def __init__(self, name: str, *, key: Callable[[T], Any] = lambda item: item.key) -> None:
        self.name = name
        self._key = key
        self._items: dict[Any, T] = {}

    def register(self, item: T) -> T:
        key = self._key(item)
        if key in self._items:
            raise ImproperlyConfigured(f"{self.name}: {key!r} is registered twice")
        self._items[key] = item
        return item

    def register_all(self, items: Iterable[T]) -> None:
        for item in items:
            self.register(item)

    def unregister(self, key: Any) -> None:
        """For tests that add an item of their own."""
        self._items.pop(key, None)

    def get(self, key: Any) -> T | None:
        return self._items.get(key)

    def __getitem__(self, key: Any) -> T:
        return self._items[key]

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[T]:
        # Items without an `order` (job kinds) keep the order of registration; sorted() is stable.
        return iter(sorted(self._items.values(), key=lambda item: getattr(item, "order", 0)))

    def __len__(self) -> int:
        return len(self._items)

    def keys(self) -> list[Any]:
        return [self._key(item) for item in self]

    def filter(self, predicate: Callable[[T], bool]) -> list[T]:
        return [item for item in self if predicate(item)]

    def __repr__(self) -> str:
        return f"<Registry {self.name}: {self.keys()}>"
