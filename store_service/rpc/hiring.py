"""HiringService: hired agent instances, goals and trials."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from plant.store.v1 import hiring_pb2 as pb
from plant.store.v1 import hiring_pb2_grpc

from plant_store_client.wire.values import (
    optional_instant,
    optional_text,
    request_document,
    timestamp,
)
from store_service.config import StoreSettings
from store_service.db.keyset import Cursor
from store_service.db.sql import Row, Transaction
from store_service.rpc import paging
from store_service.rpc.hiring_messages import (
    goal_message,
    hired_agent_message,
    transition_message,
    trial_message,
)
from store_service.rpc.jobs import batch_size
from store_service.rpc.units_of_work import UnitsOfWork
from store_service.services import goals, hired_agents, trials
from store_service.services.hired_agents import Draft, HiredAgentView

Context = Any


class HiringServicer(hiring_pb2_grpc.HiringServiceServicer):
    def __init__(self, units: UnitsOfWork, settings: StoreSettings) -> None:
        self.units = units
        self.retention_days = settings.end_retention_days

    def _message(self, view: HiredAgentView) -> pb.HiredAgentInstance:
        return hired_agent_message(view, self.retention_days)

    async def UpsertDraftHiredAgent(
        self, request: pb.UpsertDraftHiredAgentRequest, context: Context
    ) -> pb.UpsertDraftHiredAgentResponse:
        draft = Draft(
            subscription_id=request.subscription_id,
            agent_id=request.agent_id,
            customer_id=request.customer_id,
            nickname=optional_text(request, "nickname"),
            theme=optional_text(request, "theme"),
            config=request_document(request, "config"),
        )

        async def work(tx: Transaction, now: datetime) -> pb.UpsertDraftHiredAgentResponse:
            view = await hired_agents.upsert_draft(tx, draft, now)
            return pb.UpsertDraftHiredAgentResponse(hired_agent=self._message(view))

        return await self.units.write(
            "HiringService.UpsertDraftHiredAgent",
            request,
            pb.UpsertDraftHiredAgentResponse,
            work,
        )

    async def GetHiredAgentBySubscription(
        self, request: pb.GetHiredAgentBySubscriptionRequest, context: Context
    ) -> pb.GetHiredAgentBySubscriptionResponse:
        as_of = optional_instant(request, "as_of")

        async def work(tx: Transaction) -> pb.GetHiredAgentBySubscriptionResponse:
            view = await hired_agents.get_by_subscription(
                tx,
                request.subscription_id,
                request.customer_id,
                self.retention_days,
                as_of or self.units.clock(),
            )
            return pb.GetHiredAgentBySubscriptionResponse(hired_agent=self._message(view))

        return await self.units.read(work)

    async def FinalizeHiredAgent(
        self, request: pb.FinalizeHiredAgentRequest, context: Context
    ) -> pb.FinalizeHiredAgentResponse:
        async def work(tx: Transaction, now: datetime) -> pb.FinalizeHiredAgentResponse:
            view = await hired_agents.finalize(
                tx,
                request.hired_instance_id,
                request.customer_id,
                request.goals_completed,
                now,
            )
            return pb.FinalizeHiredAgentResponse(hired_agent=self._message(view))

        return await self.units.write(
            "HiringService.FinalizeHiredAgent", request, pb.FinalizeHiredAgentResponse, work
        )

    async def ProcessTrialEnd(
        self, request: pb.ProcessTrialEndRequest, context: Context
    ) -> pb.ProcessTrialEndResponse:
        size = batch_size(request.batch_size)
        effective = optional_instant(request, "now")

        async def run(clock: datetime) -> pb.ProcessTrialEndResponse:
            now = effective or clock
            processed = 0
            while batch := await self.units.in_transaction(
                lambda tx: hired_agents.end_due_trials(tx, now, size)
            ):
                processed += batch
            return pb.ProcessTrialEndResponse(processed=processed, now=timestamp(now))

        return await self.units.job(
            "HiringService.ProcessTrialEnd", request, pb.ProcessTrialEndResponse, run
        )

    async def ListGoals(
        self, request: pb.ListGoalsRequest, context: Context
    ) -> pb.ListGoalsResponse:
        as_of = optional_instant(request, "as_of")

        async def work(tx: Transaction) -> pb.ListGoalsResponse:
            async def fetch(after: Cursor | None, limit: int) -> list[Row]:
                return await goals.list_goals(
                    tx,
                    request.hired_instance_id,
                    request.customer_id,
                    self.retention_days,
                    as_of or self.units.clock(),
                    page=(after, limit),
                )

            page = await paging.read_page(goals.GOALS_OF, request, fetch, goal_message)
            return pb.ListGoalsResponse(
                hired_instance_id=request.hired_instance_id,
                goals=page.items,
                next_page_token=page.next_page_token,
            )

        return await self.units.read(work)

    async def UpsertGoal(
        self, request: pb.UpsertGoalRequest, context: Context
    ) -> pb.UpsertGoalResponse:
        settings = request_document(request, "settings") or {}

        async def work(tx: Transaction, now: datetime) -> pb.UpsertGoalResponse:
            row = await goals.upsert_goal(
                tx,
                hired_instance_id=request.hired_instance_id,
                raw_customer_id=request.customer_id,
                goal_instance_id=optional_text(request, "goal_instance_id"),
                goal_template_id=request.goal_template_id,
                frequency=request.frequency,
                settings=settings,
                now=now,
            )
            return pb.UpsertGoalResponse(goal=goal_message(row))

        return await self.units.write(
            "HiringService.UpsertGoal", request, pb.UpsertGoalResponse, work
        )

    async def DeleteGoal(
        self, request: pb.DeleteGoalRequest, context: Context
    ) -> pb.DeleteGoalResponse:
        async def work(tx: Transaction, now: datetime) -> pb.DeleteGoalResponse:
            deleted, goal_instance_id = await goals.delete_goal(
                tx, request.hired_instance_id, request.customer_id, request.goal_instance_id
            )
            return pb.DeleteGoalResponse(deleted=deleted, goal_instance_id=goal_instance_id)

        return await self.units.write(
            "HiringService.DeleteGoal", request, pb.DeleteGoalResponse, work
        )

    async def ListTrialStatuses(
        self, request: pb.ListTrialStatusesRequest, context: Context
    ) -> pb.ListTrialStatusesResponse:
        async def work(tx: Transaction) -> pb.ListTrialStatusesResponse:
            page = await paging.read_page(
                trials.CUSTOMER_TRIALS,
                request,
                partial(trials.list_trials, tx, request.customer_id),
                trial_message,
            )
            return pb.ListTrialStatusesResponse(
                trials=page.items, next_page_token=page.next_page_token
            )

        return await self.units.read(work)

    async def GetTrialStatus(
        self, request: pb.GetTrialStatusRequest, context: Context
    ) -> pb.GetTrialStatusResponse:
        async def work(tx: Transaction) -> pb.GetTrialStatusResponse:
            row = await trials.get_trial(tx, request.subscription_id, request.customer_id)
            return pb.GetTrialStatusResponse(trial=trial_message(row))

        return await self.units.read(work)

    async def ListTrialTransitions(
        self, request: pb.ListTrialTransitionsRequest, context: Context
    ) -> pb.ListTrialTransitionsResponse:
        async def work(tx: Transaction) -> pb.ListTrialTransitionsResponse:
            page = await paging.read_page(
                trials.TRANSITIONS,
                request,
                partial(trials.list_transitions, tx, request.hired_instance_id),
                transition_message,
            )
            return pb.ListTrialTransitionsResponse(
                transitions=page.items, next_page_token=page.next_page_token
            )

        return await self.units.read(work)
