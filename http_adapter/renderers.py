"""Renderers derived from the response models: store message -> the REST contract's JSON.

A response model (http_adapter/schemas/responses.py) is the one place a response's fields are
written: its field order is the key order of the body, and each field's annotation says how the
value is read from the message, once, at import:

- `str`, `int`, `bool`, and a `Literal` of plain strings: the message's field as it is;
- `X | None`: None unless the message has the field (proto3 `optional` presence);
- `datetime` (optional or not): the Timestamp as pydantic writes it, None when unset;
- `dict[str, Any]`: a document, the store's JSON text in `<name>_json` spliced in unchanged;
- `list[Model]`: each item by the item model's fields, the same way; `list[str]`: the strings;
- a `Literal` annotated with an `EnumTable`: the enum's contract name (`X | None`: None for
  an unspecified value, since enums carry no presence);
- `Source("a.b")` in the field's metadata: read `b` of the sub-message `a`, not the field's name.

The metadata is plain objects pydantic ignores, so the OpenAPI document is unchanged. A field
no rule covers is refused when its renderer is made, at import.
"""

from __future__ import annotations

import linecache
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Literal

import orjson
from google.protobuf.message import Message
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from http_adapter.times import time_of
from plant_store_client.wire.enums import EnumTable

Body = dict[str, Any]
Renderer = Callable[[Message], Body]


@dataclass(frozen=True)
class Source:
    """Where a field's value is read when it is not the message's field of the same name:
    a dotted path from the rendered message, e.g. "subscription.status"."""

    path: str


@cache
def renderer(model: type[BaseModel]) -> Renderer:
    """The renderer of `model`'s body from a store message (one per model, made once).

    It is compiled from the model's fields into one dict display, nested item models inline:
    the same code a hand-written renderer is. It runs for every item of every response, and a
    loop of per-field getters cost 15-100% more per item (measured on the seven messages).
    """
    namespace: dict[str, Any] = {"time_of": time_of, "Fragment": orjson.Fragment}
    source = f"def render(message):\n    return {_display(model, 'message', namespace)}\n"
    filename = f"<renderer of {model.__module__}.{model.__qualname__}>"
    # So that a traceback through a renderer shows the line it failed on.
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    exec(compile(source, filename, "exec"), namespace)
    render: Renderer = namespace["render"]
    return render


def _display(model: type[BaseModel], root: str, namespace: dict[str, Any]) -> str:
    """The dict display of `model`'s body read from the message named `root`."""
    entries = (
        f"{name!r}: {_expression(root, name, field, namespace)}"
        for name, field in model.model_fields.items()
    )
    return f"{{{', '.join(entries)}}}"


def _expression(root: str, name: str, field: FieldInfo, namespace: dict[str, Any]) -> str:
    """The expression that reads field `name` from the message `root`; what it calls is put in
    `namespace` under a name of its own."""
    annotation, optional, metadata = field_parts(field)
    path = next((item.path for item in metadata if isinstance(item, Source)), name).split(".")
    if not all(part.isidentifier() for part in path):
        raise ValueError(f"{name}: {path} is not a path of message fields")
    owner, attribute = ".".join([root, *path[:-1]]), path[-1]
    value = f"{owner}.{attribute}"
    table = next((item for item in metadata if isinstance(item, EnumTable)), None)
    origin = typing.get_origin(annotation)
    if table is not None:
        namespace[f"{root}_{name}_name"] = table.optional_name if optional else table.name
        return f"{root}_{name}_name({value})"
    if annotation is datetime:
        return f"time_of({owner}, {attribute!r})"
    if origin is dict:
        return f"Fragment({value}_json)"
    if origin is list:
        (item,) = typing.get_args(annotation)
        if isinstance(item, type) and issubclass(item, BaseModel):
            each = f"{root}_{name}_item"
            return f"[{_display(item, each, namespace)} for {each} in {value}]"
        return f"list({value})"
    if annotation in (str, int, bool) or origin is Literal:
        return f"({value} if {owner}.HasField({attribute!r}) else None)" if optional else value
    raise TypeError(f"no rendering for {name}: {annotation!r}")


def field_parts(field: FieldInfo) -> tuple[Any, bool, tuple[Any, ...]]:
    """A field's type without `| None` and `Annotated`, whether it is optional, its metadata."""
    annotation: Any = field.annotation
    optional = False
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        (annotation,) = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        optional = True
    metadata = tuple(field.metadata)
    if typing.get_origin(annotation) is typing.Annotated:
        metadata += annotation.__metadata__
        annotation = annotation.__origin__
    return annotation, optional, metadata
