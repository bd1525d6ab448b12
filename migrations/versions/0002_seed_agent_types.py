"""Seed the two Phase-1 agent type definitions where they are absent.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 10:30:00
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
SEED_TIME = datetime(2026, 1, 1, tzinfo=UTC)

agent_types = sa.table(
    "agent_types",
    sa.column("agent_type_id", sa.String),
    sa.column("position", sa.Integer),
    sa.column("document", JSON_DOCUMENT),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
agent_type_versions = sa.table(
    "agent_type_versions",
    sa.column("row_id", sa.String),
    sa.column("agent_type_id", sa.String),
    sa.column("version", sa.String),
    sa.column("document", JSON_DOCUMENT),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)

# The definitions exactly as the REST contract's section 6 gives them, in catalog order.
SEED_DEFINITIONS: list[dict] = json.loads(
    r"""
[
  {
    "agent_type_id": "marketing.healthcare.v1",
    "version": "1.0.0",
    "config_schema": {
      "fields": [
        {
          "key": "nickname",
          "label": "Agent nickname",
          "type": "text",
          "required": true,
          "description": null,
          "options": null,
          "item_type": null
        },
        {
          "key": "theme",
          "label": "Avatar/theme",
          "type": "enum",
          "required": true,
          "description": null,
          "options": [
            "default",
            "dark",
            "light"
          ],
          "item_type": null
        },
        {
          "key": "primary_language",
          "label": "Primary language",
          "type": "enum",
          "required": true,
          "description": null,
          "options": [
            "en",
            "hi"
          ],
          "item_type": null
        },
        {
          "key": "timezone",
          "label": "Timezone",
          "type": "text",
          "required": true,
          "description": null,
          "options": null,
          "item_type": null
        },
        {
          "key": "brand_name",
          "label": "Brand name",
          "type": "text",
          "required": true,
          "description": null,
          "options": null,
          "item_type": null
        },
        {
          "key": "offerings_services",
          "label": "Offerings/services",
          "type": "list",
          "required": true,
          "description": null,
          "options": null,
          "item_type": "text"
        },
        {
          "key": "location",
          "label": "Location",
          "type": "text",
          "required": true,
          "description": null,
          "options": null,
          "item_type": null
        },
        {
          "key": "platforms_enabled",
          "label": "Platforms enabled",
          "type": "list",
          "required": true,
          "description": null,
          "options": [
            "youtube",
            "instagram",
            "facebook",
            "linkedin",
            "whatsapp",
            "x",
            "twitter"
          ],
          "item_type": "enum"
        },
        {
          "key": "platform_credentials",
          "label": "Per-platform credential refs",
          "type": "object",
          "required": true,
          "description": "Store only credential_ref values; secrets stay in CP.",
          "options": null,
          "item_type": null
        },
        {
          "key": "posting_identity",
          "label": "Posting identity",
          "type": "text",
          "required": false,
          "description": null,
          "options": null,
          "item_type": null
        },
        {
          "key": "constraints",
          "label": "Constraints",
          "type": "object",
          "required": false,
          "description": null,
          "options": null,
          "item_type": null
        }
      ]
    },
    "goal_templates": [
      {
        "goal_template_id": "marketing.weekly_multichannel_batch.v1",
        "name": "Weekly multichannel posting batch",
        "default_frequency": "weekly",
        "settings_schema": {
          "fields": [
            {
              "key": "topics",
              "label": "Topics",
              "type": "list",
              "required": false,
              "description": null,
              "options": null,
              "item_type": "text"
            },
            {
              "key": "posts_per_platform",
              "label": "Posts per platform",
              "type": "number",
              "required": false,
              "description": null,
              "options": null,
              "item_type": null
            }
          ]
        },
        "skill_binding": "content_marketing"
      },
      {
        "goal_template_id": "marketing.daily_micro_post.v1",
        "name": "Daily patient-education micro-post",
        "default_frequency": "daily",
        "settings_schema": {
          "fields": [
            {
              "key": "topic",
              "label": "Topic",
              "type": "text",
              "required": false,
              "description": null,
              "options": null,
              "item_type": null
            }
          ]
        },
        "skill_binding": "social_media"
      },
      {
        "goal_template_id": "marketing.monthly_campaign_pack.v1",
        "name": "Monthly campaign pack",
        "default_frequency": "monthly",
        "settings_schema": {
          "fields": [
            {
              "key": "theme",
              "label": "Campaign theme",
              "type": "text",
              "required": false,
              "description": null,
              "options": null,
              "item_type": null
            }
          ]
        },
        "skill_binding": "brand_strategy"
      }
    ],
    "enforcement_defaults": {
      "approval_required": true,
      "deterministic": false
    }
  },
  {
    "agent_type_id": "trading.delta_futures.v1",
    "version": "1.0.0",
    "config_schema": {
      "fields": [
        {
          "key": "nickname",
          "label": "Agent nickname",
          "type": "text",
          "required": true,
          "description": null,
          "options": null,
          "item_type": null
        },
        {
          "key": "theme",
          "label": "Avatar/theme",
          "type": "enum",
          "required": true,
          "description": null,
          "options": [
            "default",
            "dark",
            "light"
          ],
          "item_type": null
        },
        {
          "key": "timezone",
          "label": "Timezone",
          "type": "text",
          "required": true,
          "description": null,
          "options": null,
          "item_type": null
        },
        {
          "key": "exchange_provider",
          "label": "Exchange provider",
          "type": "enum",
          "required": true,
          "description": null,
          "options": [
            "delta_exchange_india"
          ],
          "item_type": null
        },
        {
          "key": "exchange_credential_ref",
          "label": "Exchange credential ref",
          "type": "text",
          "required": true,
          "description": "Ref minted by CP; Plant must never receive raw API keys.",
          "options": null,
          "item_type": null
        },
        {
          "key": "allowed_coins",
          "label": "Allowed coins",
          "type": "list",
          "required": true,
          "description": null,
          "options": null,
          "item_type": "text"
        },
        {
          "key": "default_coin",
          "label": "Default coin",
          "type": "text",
          "required": true,
          "description": null,
          "options": null,
          "item_type": null
        },
        {
          "key": "interval_seconds",
          "label": "Interval (seconds)",
          "type": "number",
          "required": true,
          "description": "How often the agent evaluates signals / creates draft intents.",
          "options": null,
          "item_type": null
        },
        {
          "key": "risk_limits",
          "label": "Risk limits",
          "type": "object",
          "required": true,
          "description": "e.g., max_units_per_order, optional max_notional_inr.",
          "options": null,
          "item_type": null
        }
      ]
    },
    "goal_templates": [
      {
        "goal_template_id": "trading.trade_intent_draft.v1",
        "name": "Trade intent draft (enter/exit)",
        "default_frequency": "on_demand",
        "settings_schema": {
          "fields": [
            {
              "key": "coin",
              "label": "Coin",
              "type": "text",
              "required": true,
              "description": null,
              "options": null,
              "item_type": null
            },
            {
              "key": "side",
              "label": "Side",
              "type": "enum",
              "required": true,
              "description": null,
              "options": [
                "buy",
                "sell"
              ],
              "item_type": null
            },
            {
              "key": "units",
              "label": "Units",
              "type": "number",
              "required": true,
              "description": null,
              "options": null,
              "item_type": null
            }
          ]
        },
        "skill_binding": "trading_executor"
      },
      {
        "goal_template_id": "trading.close_position_reminder.v1",
        "name": "Scheduled close-position reminder",
        "default_frequency": "daily",
        "settings_schema": {
          "fields": [
            {
              "key": "window_local_time",
              "label": "Window local time",
              "type": "text",
              "required": true,
              "description": null,
              "options": null,
              "item_type": null
            }
          ]
        },
        "skill_binding": "trading_executor"
      },
      {
        "goal_template_id": "trading.guardrail_report.v1",
        "name": "Guardrail report",
        "default_frequency": "daily",
        "settings_schema": {
          "fields": []
        },
        "skill_binding": "trading_executor"
      }
    ],
    "enforcement_defaults": {
      "approval_required": true,
      "deterministic": true
    }
  }
]
"""
)


def _stamp() -> datetime:
    # SQLite keeps no offset: store naive UTC there, as the application's column type does.
    if op.get_bind().dialect.name == "sqlite":
        return SEED_TIME.replace(tzinfo=None)
    return SEED_TIME


def upgrade() -> None:
    bind = op.get_bind()
    present = set(bind.scalars(sa.select(agent_types.c.agent_type_id)))
    last_position = bind.scalar(sa.select(sa.func.max(agent_types.c.position))) or 0
    versions = set(
        bind.execute(sa.select(agent_type_versions.c.agent_type_id, agent_type_versions.c.version))
    )
    for definition in SEED_DEFINITIONS:
        type_id, version = definition["agent_type_id"], definition["version"]
        if type_id not in present:
            last_position += 1
            bind.execute(
                agent_types.insert().values(
                    agent_type_id=type_id,
                    position=last_position,
                    document=definition,
                    created_at=_stamp(),
                    updated_at=_stamp(),
                )
            )
        if (type_id, version) not in versions:
            bind.execute(
                agent_type_versions.insert().values(
                    row_id=f"{type_id}@{version}",
                    agent_type_id=type_id,
                    version=version,
                    document=definition,
                    created_at=_stamp(),
                    updated_at=_stamp(),
                )
            )


def downgrade() -> None:
    # Remove only what this migration wrote and nobody has edited since.
    bind = op.get_bind()
    for definition in SEED_DEFINITIONS:
        type_id = definition["agent_type_id"]
        stored = bind.scalar(
            sa.select(agent_types.c.document).where(agent_types.c.agent_type_id == type_id)
        )
        if stored == definition:
            bind.execute(agent_types.delete().where(agent_types.c.agent_type_id == type_id))
        row_id = f"{type_id}@{definition['version']}"
        stored = bind.scalar(
            sa.select(agent_type_versions.c.document).where(agent_type_versions.c.row_id == row_id)
        )
        if stored == definition:
            bind.execute(agent_type_versions.delete().where(agent_type_versions.c.row_id == row_id))
