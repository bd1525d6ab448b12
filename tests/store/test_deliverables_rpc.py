"""DeliverablesService called directly: the approval gate holds without the adapter."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import grpc
import pytest
from plant.store.v1 import deliverables_pb2 as pb
from plant.store.v1 import deliverables_pb2_grpc

from http_adapter.errors import error_info
from plant_store_client.wire.documents import from_json
from tests.flows import add_goal, finalize, hire, ok
from tests.harness import Stack, stack
from tests.store.test_catalog_rpc import expect_error


@dataclass
class Drafted:
    plant: Stack
    stub: deliverables_pb2_grpc.DeliverablesServiceStub
    deliverable: pb.Deliverable


@pytest.fixture
async def drafted(database_url: str) -> AsyncIterator[Drafted]:
    async with stack(database_url) as plant:
        hired = await hire(plant.http, "cust-r")
        ok(await add_goal(plant.http, hired, "cust-r"))
        stub = deliverables_pb2_grpc.DeliverablesServiceStub(plant.channel)
        listed = await stub.ListDeliverables(
            pb.ListDeliverablesRequest(
                hired_instance_id=hired["hired_instance_id"], customer_id="cust-r"
            )
        )
        yield Drafted(plant, stub, listed.deliverables[0])


def execute(drafted: Drafted, approval_id: str | None = None) -> pb.ExecuteDeliverableRequest:
    return pb.ExecuteDeliverableRequest(
        deliverable_id=drafted.deliverable.deliverable_id,
        customer_id="cust-r",
        approval_id=approval_id,
    )


async def test_execution_cannot_be_forced_and_denials_are_kept(drafted: Drafted) -> None:
    stub, did = drafted.stub, drafted.deliverable.deliverable_id
    assert drafted.deliverable.period_key == "on_demand"
    await expect_error(
        stub.ExecuteDeliverable(execute(drafted, "anything")),
        grpc.StatusCode.FAILED_PRECONDITION,
        "DELIVERABLE_NOT_APPROVED",
    )
    await stub.ReviewDeliverable(
        pb.ReviewDeliverableRequest(
            deliverable_id=did, customer_id="cust-r", decision=pb.REVIEW_DECISION_APPROVED
        )
    )
    with pytest.raises(grpc.aio.AioRpcError) as required:
        await stub.ExecuteDeliverable(
            execute(drafted), metadata=(("x-correlation-id", "cid-direct"),)
        )
    assert required.value.code() == grpc.StatusCode.PERMISSION_DENIED
    info = error_info(required.value)
    assert info is not None and info.reason == "APPROVAL_REQUIRED"
    assert info.metadata["action"] == "place_order"
    await expect_error(
        stub.ExecuteDeliverable(execute(drafted, "APR-forged")),
        grpc.StatusCode.PERMISSION_DENIED,
        "APPROVAL_INVALID",
    )
    denials = await stub.ListEnforcementDenials(
        pb.ListEnforcementDenialsRequest(deliverable_id=did)
    )
    assert [d.reason for d in denials.denials] == ["APPROVAL_INVALID", "APPROVAL_REQUIRED"]
    assert denials.denials[1].correlation_id == "cid-direct"
    assert from_json(denials.denials[1].details_json)["decision_id"] == info.metadata["decision_id"]
    executions = await stub.ListExecutions(pb.ListExecutionsRequest(deliverable_id=did))
    assert list(executions.executions) == []


async def test_histories_keep_every_review_and_execution(drafted: Drafted) -> None:
    stub, did = drafted.stub, drafted.deliverable.deliverable_id
    decisions = [
        pb.REVIEW_DECISION_APPROVED,
        pb.REVIEW_DECISION_REJECTED,
        pb.REVIEW_DECISION_APPROVED,
    ]
    approval_ids = []
    for decision in decisions:
        reviewed = await stub.ReviewDeliverable(
            pb.ReviewDeliverableRequest(deliverable_id=did, customer_id="cust-r", decision=decision)
        )
        approval_ids.append(reviewed.deliverable.approval_id)
    for _ in range(2):
        await stub.ExecuteDeliverable(execute(drafted, approval_ids[-1]))
    reviews = await stub.ListReviews(pb.ListReviewsRequest(deliverable_id=did))
    assert [r.decision for r in reviews.reviews] == decisions
    assert [r.approval_id if r.HasField("approval_id") else None for r in reviews.reviews] == [
        approval_ids[0],
        None,
        approval_ids[2],
    ]
    assert approval_ids[0] != approval_ids[2]
    executions = await stub.ListExecutions(pb.ListExecutionsRequest(deliverable_id=did))
    assert [e.approval_id for e in executions.executions] == [approval_ids[2]] * 2
    assert executions.executions[0].action == "place_order"


async def test_executions_racing_re_reviews_are_each_recorded_once(drafted: Drafted) -> None:
    """Reviews and executions run without a transaction on PostgreSQL: every answer, success
    or denial, has exactly its own history row, however they interleave."""
    stub, did = drafted.stub, drafted.deliverable.deliverable_id

    async def approve(approval_id: str | None) -> None:
        # Approving without an id keeps the current one: such reviews are noted "keep".
        await stub.ReviewDeliverable(
            pb.ReviewDeliverableRequest(
                deliverable_id=did,
                customer_id="cust-r",
                decision=pb.REVIEW_DECISION_APPROVED,
                approval_id=approval_id,
                notes=None if approval_id else "keep",
            )
        )

    async def attempt(n: int) -> tuple[str, str]:
        cid = f"race-{n}"
        try:
            await stub.ExecuteDeliverable(
                execute(drafted, f"APR-{n % 3}"), metadata=(("x-correlation-id", cid),)
            )
            return cid, "executed"
        except grpc.aio.AioRpcError as refused:
            info = error_info(refused)
            assert info is not None
            return cid, info.reason

    await approve("APR-0")
    outcomes = await asyncio.gather(
        *(attempt(n) for n in range(24)),
        *(approve(f"APR-{n % 3}") for n in range(1, 9)),
        *(approve(None) for _ in range(6)),
    )
    answered = dict(outcome for outcome in outcomes if outcome is not None)
    executions = await stub.ListExecutions(pb.ListExecutionsRequest(deliverable_id=did))
    denials = await stub.ListEnforcementDenials(
        pb.ListEnforcementDenialsRequest(deliverable_id=did)
    )
    executed = sorted(e.correlation_id for e in executions.executions)
    assert executed == sorted(cid for cid, reason in answered.items() if reason == "executed")
    assert sorted(d.correlation_id for d in denials.denials) == sorted(
        cid for cid, reason in answered.items() if reason == "APPROVAL_INVALID"
    )
    assert set(answered.values()) <= {"executed", "APPROVAL_INVALID"}
    for execution in executions.executions:
        assert execution.approval_id == f"APR-{int(execution.correlation_id[5:]) % 3}"
    # Every review answered left one history row, and the last one is the deliverable's state.
    reviews = await stub.ListReviews(pb.ListReviewsRequest(deliverable_id=did))
    assert len(reviews.reviews) == 15
    for before, review in zip(reviews.reviews, reviews.reviews[1:], strict=False):
        if review.notes == "keep":
            assert review.approval_id == before.approval_id  # no review was lost in between
    listed = await stub.ListDeliverables(
        pb.ListDeliverablesRequest(
            hired_instance_id=drafted.deliverable.hired_instance_id, customer_id="cust-r"
        )
    )
    assert listed.deliverables[0].approval_id == reviews.reviews[-1].approval_id


async def test_an_unspecified_decision_is_invalid(drafted: Drafted) -> None:
    await expect_error(
        drafted.stub.ReviewDeliverable(
            pb.ReviewDeliverableRequest(
                deliverable_id=drafted.deliverable.deliverable_id, customer_id="cust-r"
            )
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "UNSUPPORTED_DECISION",
    )


async def test_run_due_pages_through_instances(database_url: str) -> None:
    async with stack(database_url) as plant:
        for _ in range(5):
            hired = await hire(plant.http, "cust-p")
            ok(
                await add_goal(
                    plant.http,
                    hired,
                    "cust-p",
                    goal_template_id="trading.guardrail_report.v1",
                    frequency="daily",
                    settings={},
                )
            )
            ok(await finalize(plant.http, hired, "cust-p"))
        stub = deliverables_pb2_grpc.DeliverablesServiceStub(plant.channel)
        token, pages, generated = "", 0, 0
        while True:
            page = await stub.RunDueDrafts(pb.RunDueDraftsRequest(page_size=2, page_token=token))
            pages += 1
            generated += page.generated
            assert page.instances_examined <= 2
            token = page.next_page_token
            if not token:
                break
        assert (pages, generated) == (3, 5)
        await expect_error(
            stub.RunDueDrafts(pb.RunDueDraftsRequest(page_token="not-a-token")),
            grpc.StatusCode.INVALID_ARGUMENT,
            "INVALID_PAGE_TOKEN",
        )
