"""Deterministic draft generators and period keys (5.11, 5.12), without any I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store_service.domain.drafts import CTA, Goal, draft_for, marketing_draft, trading_draft
from store_service.domain.periods import instance_zone, period_key
from tests.support.flows import MARKETING_CONFIG, TRADING_CONFIG

KOLKATA = ZoneInfo("Asia/Kolkata")


@pytest.mark.parametrize(
    ("frequency", "at", "key"),
    [
        ("daily", datetime(2026, 2, 9, 18, 29, tzinfo=UTC), "daily:2026-02-09"),
        ("daily", datetime(2026, 2, 9, 18, 30, tzinfo=UTC), "daily:2026-02-10"),
        (" Weekly ", datetime(2026, 1, 4, 18, 29, tzinfo=UTC), "weekly:2026-W01"),
        ("weekly", datetime(2026, 1, 4, 18, 30, tzinfo=UTC), "weekly:2026-W02"),
        ("weekly", datetime(2027, 1, 1, tzinfo=UTC), "weekly:2026-W53"),
        ("monthly", datetime(2026, 2, 28, 18, 30, tzinfo=UTC), "monthly:2026-03"),
        ("on_demand", datetime(2026, 2, 28, tzinfo=UTC), "on_demand"),
        ("hourly", datetime(2026, 2, 28, tzinfo=UTC), "on_demand"),
        ("daily", datetime(2026, 2, 9, 20, 0), "daily:2026-02-10"),
    ],
)
def test_period_keys_in_kolkata(frequency: str, at: datetime, key: str) -> None:
    assert period_key(frequency, at, KOLKATA) == key


def test_unknown_zones_are_utc() -> None:
    assert instance_zone({"timezone": "Mars/Olympus"}) == ZoneInfo("UTC")
    assert instance_zone({}) == ZoneInfo("UTC")
    assert instance_zone({"timezone": " Asia/Kolkata "}) == KOLKATA


@given(st.datetimes(timezones=st.just(UTC)), st.sampled_from(["daily", "weekly", "monthly"]))
def test_period_keys_do_not_depend_on_the_offset_of_the_instant(at: datetime, kind: str) -> None:
    shifted = at.astimezone(timezone(timedelta(hours=-7)))
    assert period_key(kind, at, KOLKATA) == period_key(kind, shifted, KOLKATA)


def goal(template: str, **settings: Any) -> Goal:
    return Goal("GOI-1", template, settings)


@pytest.mark.parametrize(
    ("settings", "title", "errors"),
    [
        ({"coin": "btc", "side": "BUY", "units": "0.5"}, "Trade intent draft: BTC buy 0.5", []),
        (
            {"coin": "doge", "side": "hold", "units": 3},
            "Trade intent draft: DOGE hold 3",
            ["coin_allowed", "side_valid", "within_max_units"],
        ),
        (
            {"units": 1234567},
            "Trade intent draft: COIN side 1.23457e+06",
            ["coin_allowed", "side_valid", "within_max_units"],
        ),
        (
            {"coin": "BTC", "side": "sell", "units": "x"},
            "Trade intent draft: BTC sell 0",
            ["units_positive", "within_max_units"],
        ),
    ],
)
def test_trade_intents(settings: dict[str, Any], title: str, errors: list[str]) -> None:
    draft = trading_draft(TRADING_CONFIG, goal("trading.trade_intent_draft.v1", **settings))
    assert draft.title == title
    assert draft.payload["validation_errors"] == errors
    assert isinstance(draft.payload["units"], float)
    assert list(draft.payload) == [
        "type",
        "draft_only",
        "goal_template_id",
        "goal_instance_id",
        "exchange_provider",
        "exchange_credential_ref",
        "coin",
        "side",
        "units",
        "checks",
        "validation_errors",
        "intent_action",
    ]


def test_guardrail_snapshot_survives_odd_config() -> None:
    config = {
        "allowed_coins": ["eth", " btc", "ETH", ""],
        "interval_seconds": "2.5",
        "risk_limits": "none",
        "default_coin": " sol ",
    }
    draft = trading_draft(config, goal("trading.guardrail_report.v1"))
    assert draft.payload["snapshot"] == {
        "exchange_provider": "",
        "exchange_credential_ref": "",
        "allowed_coins": ["BTC", "ETH"],
        "default_coin": "SOL",
        "interval_seconds": 0,
        "risk_limits": {"max_units_per_order": 0},
    }


def test_close_position_proposal() -> None:
    draft = trading_draft(
        TRADING_CONFIG, goal("trading.close_position_reminder.v1", window_local_time=" 15:30 ")
    )
    assert draft.title == "Close-position proposal"
    assert draft.payload["window_local_time"] == "15:30"
    assert draft.payload["intent_action"] == "close_position"


def test_the_contract_marketing_example() -> None:
    config = MARKETING_CONFIG | {"platforms_enabled": ["instagram", "LinkedIn", "x"]}
    draft = marketing_draft(config, goal("marketing.daily_micro_post.v1", topic="Heart health"))
    assert draft.title == "Daily micro-post"
    texts = {v["platform"]: v["text"] for v in draft.payload["variants"]}
    assert list(texts) == ["instagram", "linkedin"]
    core = "Cake Shop: Heart health. Offer: Cupcakes. Location: Pune."
    tags = "#CakeShop #SmallBusiness #WAOOAW"
    assert texts["instagram"] == f"{core}\n\n{CTA}\n\n{tags}"
    assert texts["linkedin"] == f"{core}\n\n\u2022 en\n\n{CTA}\n\n{tags}"
    assert draft.payload["variants"][0]["hashtags"] == tags.split()
    assert list(draft.payload) == [
        "type",
        "draft_only",
        "goal_template_id",
        "goal_instance_id",
        "brand_name",
        "theme",
        "variants",
        "suggested_schedule_local",
        "intent_action",
        "debug",
    ]


def test_every_channel_layout() -> None:
    config = {"brand_name": "Dr Sharma Clinic", "primary_language": "hi", "location": ""}
    draft = marketing_draft(
        config, goal("marketing.weekly_multichannel_batch.v1", topics=[" Teeth "])
    )
    texts = {v["platform"]: v["text"] for v in draft.payload["variants"]}
    assert list(texts) == ["facebook", "instagram", "linkedin", "whatsapp", "youtube"]
    core = "Dr Sharma Clinic: Teeth."
    tags = "#DrSharmaClinic #SmallBusiness #WAOOAW"
    assert texts["youtube"] == (f"Title: Teeth\n\n{core}\n\nKey points:\n- hi\n\n{CTA}\n\n{tags}")
    assert texts["facebook"] == f"{core}\n\n\u2022 hi\n\n{CTA}\n\n{tags}"
    assert texts["whatsapp"] == f"{core}\n\n{CTA}\n{tags}"
    assert draft.payload["theme"] == "Teeth"


def test_defaults_caps_and_hashtag_ties() -> None:
    long_theme = "x" * 300
    draft = marketing_draft(
        {"brand_name": "Waooaw", "platforms": [{"platform": " WhatsApp "}]},
        goal("marketing.monthly_campaign_pack.v1", theme=long_theme),
    )
    [variant] = draft.payload["variants"]
    assert variant["hashtags"] == ["#SmallBusiness", "#WAOOAW", "#Waooaw"]
    headline = variant["text"].split("\n\n")[0]
    assert len(headline) == 240 and headline.endswith("...")
    blank = marketing_draft({}, goal("marketing.monthly_campaign_pack.v1"))
    assert (blank.payload["brand_name"], blank.payload["theme"]) == ("", "Monthly campaign pack")
    assert blank.payload["variants"][1]["text"].startswith("Brand: Monthly campaign pack.")


def test_generic_agents_get_a_generic_deliverable() -> None:
    draft = draft_for("agent-1", {}, goal("anything"))
    assert draft.title == "Goal deliverable"
    assert draft.payload["type"] == "generic_deliverable_v1"
    assert draft.payload["intent_action"] == "publish"


@given(
    st.sampled_from(["AGT-TRD-1", "AGT-MKT-1", "x"]),
    st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=4),
)
def test_generation_is_deterministic(agent_id: str, settings: dict[str, Any]) -> None:
    config = TRADING_CONFIG if agent_id.startswith("AGT-TRD") else MARKETING_CONFIG
    one = draft_for(agent_id, config, Goal("GOI-1", "t", settings))
    two = draft_for(agent_id, config, Goal("GOI-1", "t", dict(settings)))
    assert one == two
