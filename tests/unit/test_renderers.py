"""Each response renderer answers its model's fields, in order, with values the model accepts.

A body is written into the store's message by the rules of http_adapter/renderers.py, read
back by the renderer, and must come out as the same model: once with every field populated,
once as sparse as the model allows (optional fields unset, the rest zero or first).
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal

import orjson
import pytest
from google.protobuf.message import Message
from plant.store.v1 import billing_pb2, common_pb2, deliverables_pb2, hiring_pb2
from pydantic import BaseModel

from http_adapter import rendering
from http_adapter.renderers import Renderer, Source, field_parts, renderer
from http_adapter.schemas import responses
from plant_store_client.wire.enums import EnumTable
from plant_store_client.wire.values import timestamp

pytestmark = pytest.mark.unit

# Each rendered response: its model, the store message it is rendered from, its renderer.
RENDERED: list[tuple[type[BaseModel], type[Message], Renderer]] = [
    (responses.Subscription, billing_pb2.Subscription, rendering.subscription),
    (responses.CouponCheckout, billing_pb2.CheckoutWithCouponResponse, rendering.coupon_checkout),
    (responses.Receipt, billing_pb2.Receipt, rendering.receipt),
    (responses.Invoice, billing_pb2.Invoice, rendering.invoice),
    (responses.HiredAgentInstance, hiring_pb2.HiredAgentInstance, rendering.hired_agent),
    (responses.GoalInstance, hiring_pb2.GoalInstance, rendering.goal),
    (responses.DeletedGoal, hiring_pb2.DeleteGoalResponse, rendering.deleted_goal),
    (responses.TrialStatus, hiring_pb2.TrialStatusEntry, rendering.trial),
    (responses.Deliverable, deliverables_pb2.Deliverable, rendering.deliverable),
    (responses.Reviewed, deliverables_pb2.Deliverable, rendering.reviewed),
    (responses.Executed, deliverables_pb2.Deliverable, rendering.executed),
    (responses.DueDrafts, deliverables_pb2.RunDueDraftsResponse, rendering.due_drafts),
    (
        responses.Processed,
        hiring_pb2.ProcessTrialEndResponse,
        lambda message: rendering.processed(message, None),
    ),
]
IDS = [f"{model.__name__}-{message.DESCRIPTOR.name}" for model, message, _ in RENDERED]
WHEN = datetime(2026, 11, 30, 9, 30, 1, 123456, tzinfo=UTC)


def sample(model: type[BaseModel], full: bool) -> dict[str, Any]:
    """Values for every field of `model`: all set, or as sparse as the model allows."""
    values: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        annotation, optional, _ = field_parts(field)
        origin = typing.get_origin(annotation)
        if optional and not full:
            values[name] = None
        elif origin is Literal:
            choices = typing.get_args(annotation)
            values[name] = choices[-1] if full else choices[0]
        elif origin is list:
            (item,) = typing.get_args(annotation)
            one = sample(item, full) if issubclass(item, BaseModel) else f"{name}-item"
            values[name] = [one, one] if full else []
        else:
            values[name] = {
                str: f"{name}-value" if full else "",
                int: 7 if full else 0,
                bool: full,
                datetime: WHEN,
                dict: {"nested": {"list": [1, 2.5, "three", None]}} if full else {},
            }[origin or annotation]
    return values


def write(message: Message, model: type[BaseModel], values: dict[str, Any]) -> None:
    """`values` into `message` where the renderer reads them (the inverse of rendering)."""
    for name, field in model.model_fields.items():
        value = values[name]
        if value is None:
            continue
        annotation, _, metadata = field_parts(field)
        path = next((m.path for m in metadata if isinstance(m, Source)), name).split(".")
        owner = message
        for step in path[:-1]:
            owner = getattr(owner, step)
        attribute = path[-1]
        table = next((m for m in metadata if isinstance(m, EnumTable)), None)
        origin = typing.get_origin(annotation)
        if table is not None:
            setattr(owner, attribute, table.value(value))
        elif annotation is datetime:
            getattr(owner, attribute).CopyFrom(timestamp(value))
        elif origin is dict:
            setattr(owner, f"{attribute}_json", orjson.dumps(value).decode())
        elif origin is list and issubclass(item := typing.get_args(annotation)[0], BaseModel):
            for each in value:
                write(getattr(owner, attribute).add(), item, each)
        elif origin is list:
            getattr(owner, attribute).extend(value)
        else:
            setattr(owner, attribute, value)


@pytest.mark.parametrize("full", [True, False], ids=["populated", "sparse"])
@pytest.mark.parametrize(("model", "message_type", "render"), RENDERED, ids=IDS)
def test_a_rendered_body_is_its_model(
    model: type[BaseModel],
    message_type: type[Message],
    render: Callable[[Message], dict[str, Any]],
    full: bool,
) -> None:
    values = sample(model, full)
    message = message_type()
    write(message, model, values)
    body = render(message)
    assert list(body) == list(model.model_fields)
    assert model.model_validate_json(orjson.dumps(body)) == model.model_validate(values)


def test_nested_items_keep_their_models_order() -> None:
    message = billing_pb2.Receipt(items=[billing_pb2.LineItem(description="d", quantity=2)])
    (item,) = rendering.receipt(message)["items"]
    assert list(item) == list(responses.LineItem.model_fields)


def test_an_unspecified_enum_of_an_optional_field_is_null() -> None:
    # Enums carry no presence: the store sends UNSPECIFIED when the subscription is gone.
    message = hiring_pb2.HiredAgentInstance(trial_status=common_pb2.TRIAL_STATUS_ACTIVE)
    assert rendering.hired_agent(message)["subscription_status"] is None


def test_processed_echoes_the_time_sent() -> None:
    message = billing_pb2.ProcessPeriodEndResponse(processed=3, now=timestamp(WHEN))
    sent = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert rendering.processed(message, sent) == {"processed": 3, "now": "2026-01-02T03:04:05Z"}
    assert rendering.processed(message, None)["now"] == "2026-11-30T09:30:01.123456Z"


def test_a_renderer_is_made_once_per_model() -> None:
    assert renderer(responses.Subscription) is rendering.subscription


def test_a_field_without_a_rendering_is_refused_at_import() -> None:
    class Unrenderable(BaseModel):
        ratio: float

    with pytest.raises(TypeError, match="ratio"):
        renderer(Unrenderable)


def test_a_source_must_be_a_path_of_fields() -> None:
    class BadPath(BaseModel):
        order_id: typing.Annotated[str, Source("order.order_id)")]

    with pytest.raises(ValueError, match="order_id"):
        renderer(BadPath)
