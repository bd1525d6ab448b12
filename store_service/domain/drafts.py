"""Deterministic draft content per agent class (5.11, 5.12): same inputs, same payload."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from store_service.domain.conversions import python_float, python_int
from store_service.domain.hiring import MARKETING_AGENT_TYPE, TRADING_AGENT_TYPE, agent_type_for
from store_service.domain.values import nonblank, trim

CTA = "Tell us what you want next and we\u2019ll tailor it."
DRAFT_CHANNELS = ("youtube", "instagram", "facebook", "linkedin", "whatsapp")
BULLET = "\u2022"


@dataclass(frozen=True, slots=True)
class Goal:
    goal_instance_id: str
    goal_template_id: str
    settings: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Draft:
    title: str
    payload: dict[str, Any]


def draft_for(agent_id: str, config: dict[str, Any], goal: Goal) -> Draft:
    agent_type = agent_type_for(agent_id)
    if agent_type == TRADING_AGENT_TYPE:
        return trading_draft(config, goal)
    if agent_type == MARKETING_AGENT_TYPE:
        return marketing_draft(config, goal)
    return Draft(
        "Goal deliverable", _head("generic_deliverable_v1", goal) | {"intent_action": "publish"}
    )


def _head(kind: str, goal: Goal) -> dict[str, Any]:
    return {
        "type": kind,
        "draft_only": True,
        "goal_template_id": goal.goal_template_id,
        "goal_instance_id": goal.goal_instance_id,
    }


def _int_or_zero(value: Any) -> int:
    # Unparsable counts as 0 (the original crashed on a non-integer interval: 7.2-10).
    return python_int(value) or 0


def trading_snapshot(config: dict[str, Any]) -> dict[str, Any]:
    coins = config.get("allowed_coins")
    allowed = sorted(
        {trim(coin).upper() for coin in coins if nonblank(coin)}
        if isinstance(coins, list)
        else set()
    )
    limits = config.get("risk_limits")
    max_units = _int_or_zero(limits.get("max_units_per_order")) if isinstance(limits, dict) else 0
    return {
        "exchange_provider": trim(config.get("exchange_provider")),
        "exchange_credential_ref": trim(config.get("exchange_credential_ref")),
        "allowed_coins": allowed,
        "default_coin": trim(config.get("default_coin")).upper(),
        "interval_seconds": _int_or_zero(config.get("interval_seconds") or 0),
        "risk_limits": {"max_units_per_order": max_units},
    }


def trading_draft(config: dict[str, Any], goal: Goal) -> Draft:
    snapshot = trading_snapshot(config)
    exchange = {
        "exchange_provider": snapshot["exchange_provider"],
        "exchange_credential_ref": snapshot["exchange_credential_ref"],
    }
    template = goal.goal_template_id.strip()
    if template == "trading.trade_intent_draft.v1":
        return _trade_intent(goal, snapshot, exchange)
    if template == "trading.close_position_reminder.v1":
        return Draft(
            "Close-position proposal",
            _head("trading_close_position_proposal_v1", goal)
            | exchange
            | {
                "window_local_time": trim(goal.settings.get("window_local_time")),
                "intent_action": "close_position",
            },
        )
    return Draft(
        "Guardrail report", _head("trading_guardrail_report_v1", goal) | {"snapshot": snapshot}
    )


def _trade_intent(goal: Goal, snapshot: dict[str, Any], exchange: dict[str, str]) -> Draft:
    coin = trim(goal.settings.get("coin")).upper()
    side = trim(goal.settings.get("side")).lower()
    units = python_float(goal.settings.get("units")) or 0.0
    max_units = snapshot["risk_limits"]["max_units_per_order"]
    checks: dict[str, Any] = {
        "coin_allowed": bool(coin) and coin in snapshot["allowed_coins"],
        "side_valid": side in ("buy", "sell"),
        "units_positive": units > 0,
        "within_max_units": units > 0 and max_units > 0 and units <= max_units,
        "max_units_per_order": max_units,
    }
    failed = [name for name, passed in checks.items() if passed is False]
    return Draft(
        f"Trade intent draft: {coin or 'COIN'} {side or 'side'} {units:g}",
        _head("trading_intent_plan_v1", goal)
        | exchange
        | {
            "coin": coin,
            "side": side,
            "units": units,
            "checks": checks,
            "validation_errors": failed,
            "intent_action": "place_order",
        },
    )


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _hashtags(brand: str) -> list[str]:
    tags: list[str] = []
    for raw in ("WAOOAW", brand.replace(" ", ""), "SmallBusiness"):
        tag = raw.strip()
        if not tag:
            continue
        tag = tag if tag.startswith("#") else f"#{tag}"
        if tag not in tags:
            tags.append(tag)
    # Stable: tags equal but for case keep their original order (7.2-18).
    return sorted(tags, key=str.lower)


def _channels(config: dict[str, Any]) -> list[str]:
    enabled = config.get("platforms_enabled")
    names = (
        [trim(item).lower() for item in enabled if nonblank(item)]
        if isinstance(enabled, list)
        else []
    )
    legacy = config.get("platforms")
    if not names and isinstance(legacy, list):
        names = [
            trim(entry.get("platform")).lower()
            for entry in legacy
            if isinstance(entry, dict) and nonblank(entry.get("platform"))
        ]
    kept = [name for name in dict.fromkeys(names) if name in DRAFT_CHANNELS]
    return kept or list(DRAFT_CHANNELS)


def _theme_and_title(goal: Goal) -> tuple[str, str]:
    settings = goal.settings
    template = goal.goal_template_id.strip()
    if template == "marketing.weekly_multichannel_batch.v1":
        topics = settings.get("topics")
        theme = (
            trim(topics[0]) if isinstance(topics, list) and topics else "Weekly multichannel batch"
        )
        return theme, "Weekly multichannel posting batch"
    if template == "marketing.daily_micro_post.v1":
        return trim(
            settings.get("topic") or "Daily patient-education micro-post"
        ), "Daily micro-post"
    return trim(settings.get("theme") or "Monthly campaign pack"), "Monthly campaign pack"


def _variant_text(channel: str, theme: str, core: str, points: list[str], tags: list[str]) -> str:
    def shown(count: int, separator: str = "\n\n") -> str:
        return f"{separator}{' '.join(tags[:count])}" if tags else ""

    bullets = f"\n\n{chr(10).join(f'{BULLET} {point}' for point in points)}" if points else ""
    if channel == "youtube":
        title = _cap(theme.strip(), 100)
        lines = [f"Title: {title}", "", core]
        if points:
            lines += ["", "Key points:", *(f"- {point}" for point in points)]
        lines += ["", CTA]
        if tags:
            lines += ["", " ".join(tags[:15])]
        return _cap("\n".join(lines).strip(), 5100)
    if channel == "instagram":
        return _cap(f"{core}\n\n{CTA}{shown(25)}", 2200)
    if channel == "facebook":
        return _cap(f"{core}{bullets}\n\n{CTA}{shown(20)}", 63206)
    if channel == "linkedin":
        return _cap(f"{core}{bullets}\n\n{CTA}{shown(15)}", 3000)
    headline = _cap(core, 240)
    return _cap(f"{headline}\n\n{CTA}{shown(5, chr(10))}", 1024)


def marketing_draft(config: dict[str, Any], goal: Goal) -> Draft:
    brand = trim(config.get("brand_name"))
    location = trim(config.get("location"))
    offerings = config.get("offerings_services")
    offer = trim(offerings[0]) if isinstance(offerings, list) and offerings else ""
    language = trim(config.get("primary_language"))
    theme, title = _theme_and_title(goal)
    shown_theme, shown_brand = theme or "Theme", brand or "Brand"
    core = f"{shown_brand}: {shown_theme}."
    core += f" Offer: {offer}." if offer else ""
    core += f" Location: {location}." if location else ""
    core = core.strip()
    points = [language] if language else []
    tags = _hashtags(shown_brand)
    variants = [
        {
            "platform": channel,
            "text": _variant_text(channel, shown_theme, core, points, tags),
            "hashtags": tags,
        }
        for channel in sorted(_channels(config))
    ]
    return Draft(
        title,
        _head("marketing_draft_batch_v1", goal)
        | {
            "brand_name": brand,
            "theme": theme,
            "variants": variants,
            "suggested_schedule_local": ["09:00", "13:00", "18:00"],
            "intent_action": "publish",
            "debug": {"executor": "deterministic_chunk_c"},
        },
    )
