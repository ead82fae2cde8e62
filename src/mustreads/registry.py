"""One registry per kind of backend, chosen by name in the configuration.

Built-in backends register exactly as a plugin would: through an entry point
in the ``mustreads.<kind>s`` group (see ``pyproject.toml``). Code may also call
:meth:`Registry.register` directly, which is how tests add a backend.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from typing import Generic, TypeVar

from mustreads.errors import BackendError

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, kind: str, group: str) -> None:
        self.kind = kind
        self.group = group
        self._factories: dict[str, Callable[..., T]] = {}
        self._entry_points: dict[str, EntryPoint] = {}
        self._loaded = False

    def register(self, name: str, factory: Callable[..., T]) -> None:
        self._factories[name] = factory

    def _load_entry_points(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        # Entry points are imported only when chosen: a broken plugin cannot
        # stop the built-ins from working.
        for ep in entry_points(group=self.group):
            self._entry_points.setdefault(ep.name, ep)

    def names(self) -> list[str]:
        self._load_entry_points()
        return sorted(set(self._factories) | set(self._entry_points))

    def get(self, name: str) -> Callable[..., T]:
        self._load_entry_points()
        if name not in self._factories and name in self._entry_points:
            self._factories[name] = self._entry_points[name].load()
        try:
            return self._factories[name]
        except KeyError:
            known = ", ".join(self.names()) or "none"
            raise BackendError(
                f"unknown {self.kind} {name!r} (known: {known})", backend=name
            ) from None

    def create(self, name: str, *args: object, **kwargs: object) -> T:
        return self.get(name)(*args, **kwargs)
