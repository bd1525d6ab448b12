"""Every list RPC pages: one item a page adds up to the whole list, in the same order."""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import httpx
import pytest
from plant.store.v1 import (
    billing_pb2,
    billing_pb2_grpc,
    catalog_pb2,
    catalog_pb2_grpc,
    deliverables_pb2,
    deliverables_pb2_grpc,
    hiring_pb2,
    hiring_pb2_grpc,
)

from http_adapter.errors import error_info
from store_service.rpc.paging import MAX_PAGE_SIZE
from tests.support.flows import API, add_goal, finalize, hire, ok, subscribe

CUSTOMER = "cust-pages"


async def _one_at_a_time(
    method: Callable[..., Awaitable[Any]], request: Any, field: str
) -> tuple[list[Any], int]:
    request.page_size = 1
    items: list[Any] = []
    calls = 0
    while True:
        response = await method(request)
        calls += 1
        items.extend(getattr(response, field))
        if not response.next_page_token:
            return items, calls
        request.page_token = response.next_page_token


async def _customer_with_history(http: httpx.AsyncClient) -> dict[str, Any]:
    """Subscriptions with and without a hire, trials with and without an end, goals with
    drafts, and a draft reviewed twice and executed."""
    await subscribe(http, CUSTOMER)
    hired = await hire(http, CUSTOMER)
    for goal in ("g-1", "g-2", "g-3"):
        ok(await add_goal(http, hired, CUSTOMER, goal_instance_id=goal))
    ok(await finalize(http, hired, CUSTOMER))
    await hire(http, CUSTOMER)
    path = f"{API}/hired-agents/{hired['hired_instance_id']}/deliverables"
    drafts = ok(await http.get(path, params={"customer_id": CUSTOMER}))["deliverables"]
    deliverable_id = drafts[0]["deliverable_id"]
    for _ in range(2):
        ok(
            await http.post(
                f"{API}/deliverables/{deliverable_id}/review",
                json={"customer_id": CUSTOMER, "decision": "approved"},
            )
        )
    return {"hired": hired, "deliverable_id": deliverable_id}


async def test_every_list_rpc_pages_to_its_whole_list(
    http: httpx.AsyncClient, channel: grpc.aio.Channel
) -> None:
    made = await _customer_with_history(http)
    hired_instance_id = made["hired"]["hired_instance_id"]
    billing = billing_pb2_grpc.BillingServiceStub(channel)
    hiring = hiring_pb2_grpc.HiringServiceStub(channel)
    deliverables = deliverables_pb2_grpc.DeliverablesServiceStub(channel)
    catalog = catalog_pb2_grpc.CatalogServiceStub(channel)
    cases: list[tuple[Callable[[], Any], Callable[..., Awaitable[Any]], str, int]] = [
        (
            lambda: billing_pb2.ListCustomerSubscriptionsRequest(customer_id=CUSTOMER),
            billing.ListCustomerSubscriptions,
            "subscriptions",
            3,
        ),
        (
            lambda: billing_pb2.ListReceiptsRequest(customer_id=CUSTOMER),
            billing.ListReceipts,
            "receipts",
            3,
        ),
        (
            lambda: billing_pb2.ListInvoicesRequest(customer_id=CUSTOMER),
            billing.ListInvoices,
            "invoices",
            3,
        ),
        (
            lambda: hiring_pb2.ListTrialStatusesRequest(customer_id=CUSTOMER),
            hiring.ListTrialStatuses,
            "trials",
            2,
        ),
        (
            lambda: hiring_pb2.ListGoalsRequest(
                hired_instance_id=hired_instance_id, customer_id=CUSTOMER
            ),
            hiring.ListGoals,
            "goals",
            3,
        ),
        (
            lambda: hiring_pb2.ListTrialTransitionsRequest(hired_instance_id=hired_instance_id),
            hiring.ListTrialTransitions,
            "transitions",
            1,
        ),
        (
            lambda: deliverables_pb2.ListDeliverablesRequest(
                hired_instance_id=hired_instance_id, customer_id=CUSTOMER
            ),
            deliverables.ListDeliverables,
            "deliverables",
            3,
        ),
        (
            lambda: deliverables_pb2.ListReviewsRequest(deliverable_id=made["deliverable_id"]),
            deliverables.ListReviews,
            "reviews",
            2,
        ),
        (
            lambda: deliverables_pb2.ListExecutionsRequest(deliverable_id=made["deliverable_id"]),
            deliverables.ListExecutions,
            "executions",
            0,
        ),
        # The seeded catalog: the two Phase-1 agent types.
        (catalog_pb2.ListAgentTypesRequest, catalog.ListAgentTypes, "agent_types", 2),
        (
            catalog_pb2.ListLatestAgentTypeVersionsRequest,
            catalog.ListLatestAgentTypeVersions,
            "agent_types",
            2,
        ),
    ]
    for request, method, field, count in cases:
        whole = await method(request())
        assert whole.next_page_token == "", field
        assert len(getattr(whole, field)) == count, field
        paged, calls = await _one_at_a_time(method, request(), field)
        assert paged == list(getattr(whole, field)), field
        assert calls == max(count, 1), field


async def test_the_trial_list_pages_through_trials_without_an_end_first(
    http: httpx.AsyncClient, channel: grpc.aio.Channel
) -> None:
    started = []
    for _ in range(2):
        started.append(await hire(http, CUSTOMER))
        await hire(http, CUSTOMER)
    for hired in started:
        ok(await finalize(http, hired, CUSTOMER))
    hiring = hiring_pb2_grpc.HiringServiceStub(channel)
    request = hiring_pb2.ListTrialStatusesRequest(customer_id=CUSTOMER)
    paged, _ = await _one_at_a_time(hiring.ListTrialStatuses, request, "trials")
    ends = [
        trial.trial_end_at.seconds if trial.HasField("trial_end_at") else None for trial in paged
    ]
    assert ends[:2] == [None, None] and None not in ends[2:]
    assert ends[2:] == sorted(ends[2:])  # type: ignore[type-var]
    assert len({trial.subscription_id for trial in paged}) == 4


async def _refusal(call: Awaitable[Any]) -> str:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await call
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    info = error_info(refused.value)
    assert info is not None
    return str(info.reason)


async def test_bad_page_requests_are_refused(
    http: httpx.AsyncClient, channel: grpc.aio.Channel
) -> None:
    for _ in range(2):
        await subscribe(http, CUSTOMER)
    billing = billing_pb2_grpc.BillingServiceStub(channel)
    first = await billing.ListReceipts(
        billing_pb2.ListReceiptsRequest(customer_id=CUSTOMER, page_size=1)
    )
    assert first.next_page_token
    # A receipt token has two keys, a subscription cursor three.
    foreign = billing_pb2.ListCustomerSubscriptionsRequest(
        customer_id=CUSTOMER, page_token=first.next_page_token
    )
    assert await _refusal(billing.ListCustomerSubscriptions(foreign)) == "INVALID_PAGE_TOKEN"
    # A receipt cursor is (an instant, a text id): the right shape with the wrong types is as
    # foreign as garbage.
    moment = json.loads(base64.urlsafe_b64decode(first.next_page_token))[0]
    wrong_types = [
        base64.urlsafe_b64encode(json.dumps([moment, value]).encode()).decode()
        for value in (12345, 2**70, True, None, ["x"])
    ]
    for token in ("not base64!", "bm90IGpzb24", "e30=", *wrong_types):
        forged = billing_pb2.ListReceiptsRequest(customer_id=CUSTOMER, page_token=token)
        assert await _refusal(billing.ListReceipts(forged)) == "INVALID_PAGE_TOKEN"
    negative = billing_pb2.ListReceiptsRequest(customer_id=CUSTOMER, page_size=-1)
    assert await _refusal(billing.ListReceipts(negative)) == "INVALID_PAGE_SIZE"
    # More than the maximum is served at the maximum (AIP-158), not refused.
    large = billing_pb2.ListReceiptsRequest(customer_id=CUSTOMER, page_size=MAX_PAGE_SIZE + 1)
    assert len((await billing.ListReceipts(large)).receipts) == 2


async def test_a_foreign_page_token_is_refused_before_the_list_is_looked_up(
    http: httpx.AsyncClient, channel: grpc.aio.Channel
) -> None:
    for _ in range(2):
        await subscribe(http, CUSTOMER)
    billing = billing_pb2_grpc.BillingServiceStub(channel)
    first = await billing.ListCustomerSubscriptions(
        billing_pb2.ListCustomerSubscriptionsRequest(customer_id=CUSTOMER, page_size=1)
    )
    # A subscription cursor has three keys, a goal or invoice cursor two: on those lists the
    # token is refused as a token whatever the instance or customer (a missing instance, no
    # customer at all), as the page request is checked first.
    token = first.next_page_token
    hiring = hiring_pb2_grpc.HiringServiceStub(channel)
    missing = hiring_pb2.ListGoalsRequest(
        hired_instance_id="HAI-missing", customer_id=CUSTOMER, page_token=token
    )
    assert await _refusal(hiring.ListGoals(missing)) == "INVALID_PAGE_TOKEN"
    anyone = billing_pb2.ListInvoicesRequest(customer_id="", page_token=token)
    assert await _refusal(billing.ListInvoices(anyone)) == "INVALID_PAGE_TOKEN"
