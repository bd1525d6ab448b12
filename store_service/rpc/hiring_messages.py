"""Hiring rows -> HiringService messages."""

from __future__ import annotations

from plant.store.v1 import common_pb2
from plant.store.v1 import hiring_pb2 as pb

from plant_store_client.wire.enums import SUBSCRIPTION_STATUS, TRIAL_STATUS
from plant_store_client.wire.values import timestamp
from store_service.domain.hiring import agent_type_for, retention_expires_at
from store_service.domain.records import GoalInstanceRow, TrialEntry, TrialTransitionRow
from store_service.services.hired_agents import HiredAgentView


def hired_agent_message(view: HiredAgentView, retention_days: int) -> pb.HiredAgentInstance:
    row = view.instance
    status = view.subscription_status
    return pb.HiredAgentInstance(
        hired_instance_id=row["hired_instance_id"],
        subscription_id=row["subscription_id"],
        agent_id=row["agent_id"],
        agent_type_id=agent_type_for(row["agent_id"]),
        customer_id=row["customer_id"],
        nickname=row["nickname"],
        theme=row["theme"],
        config_json=row["config"],
        configured=row["configured"],
        goals_completed=row["goals_completed"],
        active=row["active"],
        subscription_status=(
            SUBSCRIPTION_STATUS.value(status)
            if status
            else common_pb2.SUBSCRIPTION_STATUS_UNSPECIFIED
        ),
        subscription_ended_at=timestamp(view.subscription_ended_at),
        retention_expires_at=timestamp(
            retention_expires_at(status, view.subscription_ended_at, retention_days)
        ),
        trial_status=TRIAL_STATUS.value(row["trial_status"]),
        trial_start_at=timestamp(row["trial_start_at"]),
        trial_end_at=timestamp(row["trial_end_at"]),
        created_at=timestamp(row["created_at"]),
        updated_at=timestamp(row["updated_at"]),
    )


def goal_message(row: GoalInstanceRow) -> pb.GoalInstance:
    return pb.GoalInstance(
        goal_instance_id=row["goal_instance_id"],
        hired_instance_id=row["hired_instance_id"],
        goal_template_id=row["goal_template_id"],
        frequency=row["frequency"],
        settings_json=row["settings"],
        created_at=timestamp(row["created_at"]),
        updated_at=timestamp(row["updated_at"]),
    )


def trial_message(row: TrialEntry) -> pb.TrialStatusEntry:
    return pb.TrialStatusEntry(
        subscription_id=row["subscription_id"],
        hired_instance_id=row["hired_instance_id"],
        trial_status=TRIAL_STATUS.value(row["trial_status"]),
        trial_start_at=timestamp(row["trial_start_at"]),
        trial_end_at=timestamp(row["trial_end_at"]),
        configured=row["configured"],
        goals_completed=row["goals_completed"],
    )


def transition_message(row: TrialTransitionRow) -> pb.TrialTransition:
    return pb.TrialTransition(
        transition_id=row["transition_id"],
        hired_instance_id=row["hired_instance_id"],
        from_status=TRIAL_STATUS.value(row["from_status"]),
        to_status=TRIAL_STATUS.value(row["to_status"]),
        cause=row["cause"],
        occurred_at=timestamp(row["occurred_at"]),
    )
