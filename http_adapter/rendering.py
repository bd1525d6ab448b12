"""Each response's body from the store's message, by the renderer derived from its model.

Documents (config, settings, payload) are the store's JSON text, spliced in unchanged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.protobuf.message import Message

from http_adapter.renderers import renderer
from http_adapter.schemas import responses
from plant_store_client.wire.values import iso

subscription = renderer(responses.Subscription)
coupon_checkout = renderer(responses.CouponCheckout)
receipt = renderer(responses.Receipt)
invoice = renderer(responses.Invoice)
hired_agent = renderer(responses.HiredAgentInstance)
goal = renderer(responses.GoalInstance)
deleted_goal = renderer(responses.DeletedGoal)
trial = renderer(responses.TrialStatus)
deliverable = renderer(responses.Deliverable)
reviewed = renderer(responses.Reviewed)
executed = renderer(responses.Executed)
due_drafts = renderer(responses.DueDrafts)
_processed = renderer(responses.Processed)


def processed(response: Message, sent: datetime | None) -> dict[str, Any]:
    """The answer of the processing endpoints: `now` echoed as sent, else the store's time."""
    body = _processed(response)
    if sent is not None:
        body["now"] = iso(sent)
    return body
