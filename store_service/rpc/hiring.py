"""HiringService: hired agent instances, goals and trials."""

from __future__ import annotations

from typing import Any

import grpc
from plant.store.v1 import hiring_pb2 as pb
from plant.store.v1 import hiring_pb2_grpc

from plant_store_client.wire.values import (
    optional_instant,
    optional_text,
    request_document,
    timestamp,
)
from store_service.config import StoreSettings
from store_service.rpc.hiring_messages import (
    goal_message,
    hired_agent_message,
    transition_message,
    trial_message,
)
from store_service.rpc.paging import page_query, paged
from store_service.services import goals, hired_agents, trials
from store_service.services.batches import batch_size, max_batches
from store_service.services.goals import GoalChange, GoalDeletion
from store_service.services.hired_agents import Draft, HiredAgentView, TrialsEnded
from store_service.services.units_of_work import Reply, UnitsOfWork


class HiringServicer(hiring_pb2_grpc.HiringServiceServicer):
    def __init__(self, units: UnitsOfWork, settings: StoreSettings) -> None:
        self.units = units
        self.retention_days = settings.end_retention_days

    def _message(self, view: HiredAgentView) -> pb.HiredAgentInstance:
        return hired_agent_message(view, self.retention_days)

    async def UpsertDraftHiredAgent(
        self, request: pb.UpsertDraftHiredAgentRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.UpsertDraftHiredAgentResponse:
        draft = Draft(
            subscription_id=request.subscription_id,
            agent_id=request.agent_id,
            customer_id=request.customer_id,
            nickname=optional_text(request, "nickname"),
            theme=optional_text(request, "theme"),
            config=request_document(request, "config"),
        )

        def answer(view: HiredAgentView) -> pb.UpsertDraftHiredAgentResponse:
            return pb.UpsertDraftHiredAgentResponse(hired_agent=self._message(view))

        return await hired_agents.upsert_draft(
            self.units,
            draft,
            Reply(
                "HiringService.UpsertDraftHiredAgent",
                request,
                pb.UpsertDraftHiredAgentResponse,
                answer,
            ),
        )

    async def GetHiredAgentBySubscription(
        self,
        request: pb.GetHiredAgentBySubscriptionRequest,
        context: grpc.aio.ServicerContext[Any, Any],
    ) -> pb.GetHiredAgentBySubscriptionResponse:
        view = await hired_agents.get_by_subscription(
            self.units,
            request.subscription_id,
            request.customer_id,
            self.retention_days,
            optional_instant(request, "as_of"),
        )
        return pb.GetHiredAgentBySubscriptionResponse(hired_agent=self._message(view))

    async def FinalizeHiredAgent(
        self, request: pb.FinalizeHiredAgentRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.FinalizeHiredAgentResponse:
        def answer(view: HiredAgentView) -> pb.FinalizeHiredAgentResponse:
            return pb.FinalizeHiredAgentResponse(hired_agent=self._message(view))

        return await hired_agents.finalize(
            self.units,
            request.hired_instance_id,
            request.customer_id,
            request.goals_completed,
            Reply(
                "HiringService.FinalizeHiredAgent", request, pb.FinalizeHiredAgentResponse, answer
            ),
        )

    async def ProcessTrialEnd(
        self, request: pb.ProcessTrialEndRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ProcessTrialEndResponse:
        def answer(ended: TrialsEnded) -> pb.ProcessTrialEndResponse:
            return pb.ProcessTrialEndResponse(
                processed=ended.processed, now=timestamp(ended.now), more=ended.more
            )

        return await hired_agents.end_due_trials(
            self.units,
            optional_instant(request, "now"),
            batch_size(request.batch_size),
            max_batches(request.max_batches),
            Reply("HiringService.ProcessTrialEnd", request, pb.ProcessTrialEndResponse, answer),
        )

    async def ListGoals(
        self, request: pb.ListGoalsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ListGoalsResponse:
        query = page_query(request)
        rows = await goals.list_goals(
            self.units,
            request.hired_instance_id,
            request.customer_id,
            self.retention_days,
            optional_instant(request, "as_of"),
            query,
        )
        page = paged(query, rows, goal_message)
        return pb.ListGoalsResponse(
            hired_instance_id=request.hired_instance_id,
            goals=page.items,
            next_page_token=page.next_page_token,
        )

    async def UpsertGoal(
        self, request: pb.UpsertGoalRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.UpsertGoalResponse:
        change = GoalChange(
            hired_instance_id=request.hired_instance_id,
            customer_id=request.customer_id,
            goal_instance_id=optional_text(request, "goal_instance_id"),
            goal_template_id=request.goal_template_id,
            frequency=request.frequency,
            settings=request_document(request, "settings") or {},
        )
        return await goals.upsert_goal(
            self.units,
            change,
            Reply(
                "HiringService.UpsertGoal",
                request,
                pb.UpsertGoalResponse,
                lambda row: pb.UpsertGoalResponse(goal=goal_message(row)),
            ),
        )

    async def DeleteGoal(
        self, request: pb.DeleteGoalRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.DeleteGoalResponse:
        def answer(deletion: GoalDeletion) -> pb.DeleteGoalResponse:
            return pb.DeleteGoalResponse(
                deleted=deletion.deleted, goal_instance_id=deletion.goal_instance_id
            )

        return await goals.delete_goal(
            self.units,
            request.hired_instance_id,
            request.customer_id,
            request.goal_instance_id,
            Reply("HiringService.DeleteGoal", request, pb.DeleteGoalResponse, answer),
        )

    async def ListTrialStatuses(
        self, request: pb.ListTrialStatusesRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ListTrialStatusesResponse:
        query = page_query(request)
        rows = await trials.list_trials(self.units, request.customer_id, query)
        page = paged(query, rows, trial_message)
        return pb.ListTrialStatusesResponse(trials=page.items, next_page_token=page.next_page_token)

    async def GetTrialStatus(
        self, request: pb.GetTrialStatusRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.GetTrialStatusResponse:
        row = await trials.get_trial(self.units, request.subscription_id, request.customer_id)
        return pb.GetTrialStatusResponse(trial=trial_message(row))

    async def ListTrialTransitions(
        self, request: pb.ListTrialTransitionsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ListTrialTransitionsResponse:
        query = page_query(request)
        rows = await trials.list_transitions(self.units, request.hired_instance_id, query)
        page = paged(query, rows, transition_message)
        return pb.ListTrialTransitionsResponse(
            transitions=page.items, next_page_token=page.next_page_token
        )
