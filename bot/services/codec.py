"""Results and events as JSON and back: one way to serialise them, for the outbox (events a
platform delivers later, perhaps in another process) and for machine-readable output."""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from functools import cache
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

T = TypeVar("T")


_SCALARS = (str, int, float, bool, type(None))


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def encode(value: Any) -> Any:
    """A dataclass (nested ones, tuples, datetimes included) as plain JSON values."""
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, tuple | list):
        return [encode(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: encode(getattr(value, name)) for name in _field_names(type(value))}
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def decode(cls: type[T], data: Any) -> T:
    """The inverse of `encode` for dataclass `cls`."""
    return typing.cast(T, _decode(cls, data))


@cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def _decode(hint: Any, raw: Any) -> Any:
    if hint is Any:
        return raw
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        options = get_args(hint)
        if raw is None and type(None) in options:
            return None
        for option in options:
            if option is type(None):
                continue
            try:
                return _decode(option, raw)
            except (TypeError, ValueError, KeyError):
                continue
        raise ValueError(f"{raw!r} matches none of {hint}")
    if origin is Literal:
        if raw not in get_args(hint):
            raise ValueError(f"{raw!r} is not one of {get_args(hint)}")
        return raw
    if origin is tuple:
        args = get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v) for v in raw)
        return tuple(_decode(a, v) for a, v in zip(args, raw, strict=True))
    if origin is list:
        return [_decode(get_args(hint)[0], v) for v in raw]
    if origin is dict:
        key, val = get_args(hint)
        return {_decode(key, k): _decode(val, v) for k, v in raw.items()}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if not isinstance(raw, dict):
            raise TypeError(f"{hint.__name__} needs an object, not {raw!r}")
        hints = _hints(hint)
        kwargs = {
            f.name: _decode(hints[f.name], raw[f.name])
            for f in dataclasses.fields(hint)
            if f.init and f.name in raw
        }
        return hint(**kwargs)
    if hint is datetime:
        return datetime.fromisoformat(raw)
    if hint is date:
        return date.fromisoformat(raw)
    if hint in (int, str, bool, float):
        if not isinstance(raw, hint) or (hint is int and isinstance(raw, bool)):
            raise TypeError(f"{raw!r} is not a {hint.__name__}")
        return raw
    return raw
