"""`Registry`: named entries (methods, datasets, ...) that validation, CLIs, plots and reports read.

Adding a method or a dataset is one `register` call next to its code; every
place that lists the allowed names asks the registry instead of keeping its
own list.

Example:
>>> colours = Registry("colour")
>>> colours.register("red", "#f00")
'#f00'
>>> colours.get("red"), colours.names()
('#f00', ('red',))
>>> colours.get("blue")
Traceback (most recent call last):
...
ValueError: Unknown colour 'blue'. Registered colours: ['red']
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Iterator


class Registry:
    """An ordered map from names to entries, with errors that list the allowed names.

    Args:
        kind: what the entries are (`"method"`, `"dataset"`), used in messages.

    Raises:
        ValueError: on `get` / `check` of an unknown name, or `register` of a
            name already registered (unless `overwrite=True`).
    """

    def __init__(self, kind: str):
        if not isinstance(kind, str) or not kind:
            raise ValueError(f"`kind` must be a non-empty string. Received kind={kind!r}")
        self.kind = kind
        self._entries: dict[str, Any] = {}

    def register(self, name: str, entry: Any = None, *, overwrite: bool = False):
        """Register `entry` under `name` and return it; without `entry`, a decorator."""
        if not isinstance(name, str) or not name:
            raise ValueError(f"A {self.kind} name must be a non-empty string. Received name={name!r}")
        if entry is None:
            def decorator(obj: Callable) -> Callable:
                self.register(name, obj, overwrite=overwrite)
                return obj

            return decorator
        if name in self._entries and not overwrite:
            raise ValueError(f"The {self.kind} {name!r} is already registered; pass overwrite=True to replace it.")
        self._entries[name] = entry
        return entry

    def unregister(self, name: str) -> Any:
        """Remove `name` and return its entry."""
        self.check(name)
        return self._entries.pop(name)

    def get(self, name: str) -> Any:
        """The entry registered under `name`."""
        return self._entries[self.check(name)]

    def check(self, name, argument: str | None = None) -> str:
        """Return `name` if it is registered; else a ValueError naming `argument` and the allowed names."""
        if isinstance(name, str) and name in self._entries:
            return name
        what = f"`{argument}`={name!r}" if argument else repr(name)
        raise ValueError(f"Unknown {self.kind} {what}. Registered {self.kind}s: {list(self._entries)}")

    def names(self) -> tuple:
        """Registered names, in registration order."""
        return tuple(self._entries)

    def __getitem__(self, name: str) -> Any:
        return self.get(name)

    def __contains__(self, name) -> bool:
        return isinstance(name, str) and name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(tuple(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, names={list(self._entries)})"


class NamedConfig:
    """`to_config` / `from_config` of a frozen dataclass registered under `self.name`.

    The config is `{"name": ..., **fields}`, JSON-serializable (tuples, also
    nested, become lists); `from_config` drops `name` and passes the rest to
    the constructor, which checks it again.
    """

    def to_config(self) -> dict:
        config = {"name": self.name}
        for field in dataclasses.fields(self):
            config[field.name] = _jsonable(getattr(self, field.name))
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        config.pop("name", None)
        return cls(**config)


def _jsonable(value):
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value
