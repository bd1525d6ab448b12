"""Pure hiring rules: the refs-only scan, themes, agent classes and the configured flag."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store_service.domain.conversions import LARGEST_INT, MAX_INT_DIGITS, python_float, python_int
from store_service.domain.errors import DomainError
from store_service.domain.hiring import (
    agent_type_for,
    find_raw_secret,
    is_configured,
    normalise_theme,
)
from tests.support.flows import MARKETING_CONFIG, TRADING_CONFIG

SENSITIVE = [
    "api_key",
    "APIKEY",
    " password ",
    "client_secret",
    "bot_token",
    "x_API_SECRET",
    "my_private_key",
    "whatsapp_api_key",
    "refresh_token",
]
HARMLESS = [
    "token",
    "name",
    "exchange_credential_ref",
    "bot_token_id",
    "secret_ref",
    "notes",
    "api_key_id",
    "keys",
]

json_scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5)
)


def json_values(keys: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    return st.recursive(
        json_scalars,
        lambda children: (
            st.lists(children, max_size=3) | st.dictionaries(keys, children, max_size=3)
        ),
        max_leaves=12,
    )


def resolve(document: Any, path: str) -> tuple[str, Any]:
    """The last key and the value at a reported path such as config.a[0].b."""
    assert path.startswith("config")
    node, key = document, ""
    for name, index in re.findall(r"\.([^.\[]+)|\[(\d+)\]", path[len("config") :]):
        if index:
            node = node[int(index)]
        else:
            key, node = name, node[name]
    return key, node


@pytest.mark.parametrize(
    ("config", "path"),
    [
        ({"api_key": "X"}, "config.api_key"),
        ({"a": [{"nested": {"Client_Secret": "x"}}]}, "config.a[0].nested.Client_Secret"),
        ({"creds": {"whatsapp_api_key": "k"}}, "config.creds.whatsapp_api_key"),
        ({"first_token": "a", "second_token": "b"}, "config.first_token"),
        ({"exchange_credential_ref": "EXCH-1"}, None),
        ({"bot_token_id": "t"}, None),
        ({"x_token": "  "}, None),
        ({"my_secret": {"k": "v"}}, None),
        ({"token": "abc"}, None),
        ({"password": 1234}, None),
    ],
)
def test_contract_examples(config: dict[str, Any], path: str | None) -> None:
    assert find_raw_secret(config) == path


@given(json_values(st.sampled_from(HARMLESS)))
def test_configs_without_sensitive_keys_pass(config: Any) -> None:
    assert find_raw_secret(config) is None


def secrets_in(value: Any, path: str = "config") -> list[str]:
    """Every path of a nonblank string under a key of SENSITIVE, in document order."""
    sensitive = {k.strip().lower() for k in SENSITIVE}
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key.strip().lower() in sensitive and isinstance(item, str) and item.strip():
                found.append(f"{path}.{key}")
            else:
                found.extend(secrets_in(item, f"{path}.{key}"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(secrets_in(item, f"{path}[{index}]"))
    return found


@given(json_values(st.sampled_from(HARMLESS + SENSITIVE)))
def test_the_first_secret_in_document_order_is_reported(config: Any) -> None:
    path = find_raw_secret(config)
    candidates = secrets_in(config)
    assert path == (candidates[0] if candidates else None)
    if path is not None:
        key, value = resolve(config, path)
        assert key in SENSITIVE and isinstance(value, str) and value.strip()


@given(
    json_values(st.sampled_from(HARMLESS)),
    st.sampled_from(SENSITIVE),
    st.text(min_size=1).filter(str.strip),
)
def test_a_planted_secret_is_always_found(config: Any, key: str, secret: str) -> None:
    planted = {"wrapper": [config, {key: secret}]}
    assert find_raw_secret(planted) == f"config.wrapper[1].{key}"


@pytest.mark.parametrize(
    ("raw", "theme"), [(None, None), ("  ", None), (" DARK ", "dark"), ("light", "light")]
)
def test_themes(raw: str | None, theme: str | None) -> None:
    assert normalise_theme(raw) == theme


def test_unknown_themes_are_refused() -> None:
    with pytest.raises(DomainError) as refused:
        normalise_theme("neon")
    assert refused.value.message == "Unsupported theme."


@pytest.mark.parametrize(
    ("agent_id", "agent_type"),
    [
        (" agt-trd-x", "trading.delta_futures.v1"),
        ("AGT-MKT-1", "marketing.healthcare.v1"),
        ("AGT-OTHER", None),
        ("trd", None),
    ],
)
def test_agent_classes(agent_id: str, agent_type: str | None) -> None:
    assert agent_type_for(agent_id) == agent_type


CONFIGS = {"AGT-TRD-1": TRADING_CONFIG, "AGT-MKT-1": MARKETING_CONFIG, "agent-1": {}}


@given(st.sampled_from(sorted(CONFIGS)), st.sampled_from([None, "", " ", 0]), st.booleans())
def test_nothing_is_configured_without_nickname_and_theme(
    agent_id: str, blank: Any, blank_nickname: bool
) -> None:
    nickname, theme = (blank, "dark") if blank_nickname else ("N", blank)
    assert not is_configured(nickname, theme, agent_id, CONFIGS[agent_id])


@given(
    st.sampled_from(sorted(CONFIGS)),
    st.dictionaries(st.text(min_size=1).map(lambda s: "extra_" + s), json_scalars, max_size=3),
)
def test_complete_configs_stay_configured_with_extra_keys(
    agent_id: str, extra: dict[str, Any]
) -> None:
    assert is_configured("N", "dark", agent_id, CONFIGS[agent_id] | extra)


@pytest.mark.parametrize("agent_id", ["AGT-TRD-1", "AGT-MKT-1"])
def test_every_required_key_matters(agent_id: str) -> None:
    for key in CONFIGS[agent_id]:
        partial = {k: v for k, v in CONFIGS[agent_id].items() if k != key}
        assert not is_configured("N", "dark", agent_id, partial), key


@pytest.mark.parametrize(
    ("change", "configured"),
    [
        ({"exchange_provider": " delta_exchange_india "}, True),
        ({"exchange_provider": "binance"}, False),
        ({"default_coin": " btc "}, True),
        ({"default_coin": "ETH"}, False),
        ({"allowed_coins": [" ", None]}, False),
        ({"interval_seconds": "60"}, True),
        ({"interval_seconds": "2.5"}, False),
        ({"interval_seconds": 0}, False),
        ({"interval_seconds": True}, True),
        ({"risk_limits": {"max_units_per_order": 0.9}}, False),
        ({"risk_limits": []}, False),
    ],
)
def test_trading_rules(change: dict[str, Any], configured: bool) -> None:
    assert is_configured("N", "dark", "AGT-TRD-1", TRADING_CONFIG | change) is configured


@pytest.mark.parametrize(
    ("change", "configured"),
    [
        ({"platforms_enabled": ["Instagram", "tiktok"]}, True),
        ({"platforms_enabled": ["tiktok"]}, False),
        ({"platform_credentials": {"INSTAGRAM": "CRED"}}, True),
        ({"platform_credentials": {"instagram": {}, "INSTAGRAM": {"credential_ref": "c"}}}, True),
        ({"platform_credentials": {"Instagram": "CRED"}}, False),
        ({"platform_credentials": {"instagram": 5}}, False),
        ({"platforms": [{"platform": "x", "credential_ref": "c"}], "platforms_enabled": []}, True),
        ({"platforms": [{"platform": "tiktok", "credential_ref": "c"}]}, False),
        ({"offerings_services": [" "]}, False),
    ],
)
def test_marketing_rules(change: dict[str, Any], configured: bool) -> None:
    config = copy.deepcopy(MARKETING_CONFIG) | change
    assert is_configured("N", "dark", "AGT-MKT-1", config) is configured


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, 3),
        (3.9, 3),
        (-3.9, -3),
        (True, 1),
        (" 1_000 ", 1000),
        ("2.5", None),
        ("abc", None),
        (None, None),
        ({}, None),
        (float("inf"), None),
    ],
)
def test_python_int(value: Any, expected: int | None) -> None:
    assert python_int(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", 3.0),
        (" 1e3 ", 1000.0),
        (False, 0.0),
        ("x", None),
        (None, None),
        # A number no JSON document can hold counts as unparsable, so no draft carries one.
        ("inf", None),
        ("-Infinity", None),
        ("1e999", None),
        ("nan", None),
        (10**400, None),
    ],
)
def test_python_float(value: Any, expected: float | None) -> None:
    assert python_float(value) == expected


digit_strings = st.builds(
    lambda sign, digits, pad: f"{pad}{sign}{digits}{pad}",
    st.sampled_from(["", "+", "-"]),
    st.one_of(
        st.text("0123456789", min_size=1, max_size=30), st.integers(1, 6_000).map("9".__mul__)
    ),
    st.sampled_from(["", " ", "\t"]),
)


@given(digit_strings)
def test_python_int_parses_any_digit_string_without_raising(text: str) -> None:
    parsed = python_int(text)
    if len(text.strip().lstrip("+-").lstrip("0")) < MAX_INT_DIGITS:
        assert parsed == int(text)
    elif parsed is not None:
        assert parsed == int(text) and abs(parsed) <= LARGEST_INT


@given(
    st.one_of(
        st.integers(),
        st.integers(LARGEST_INT - 2**10, LARGEST_INT + 2**10),
        st.floats(allow_nan=False, allow_infinity=False),
    )
)
def test_python_int_results_fit_a_json_document(value: int | float) -> None:
    parsed = python_int(value)
    assert parsed is None or abs(parsed) <= LARGEST_INT
    if parsed is None:
        assert abs(int(value)) > LARGEST_INT
