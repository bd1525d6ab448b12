"""The settings of a store client (the adapter, jobs, health checks), parsed and checked."""

from __future__ import annotations

import os
from collections.abc import Mapping

from plant_store_client import settings_parsing as read
from plant_store_client.tls import CLIENT_CA, CLIENT_CERT, CLIENT_KEY, ClientTls

DEFAULT_STORE_TARGET = "127.0.0.1:50051"


def store_target(env: Mapping[str, str] = os.environ) -> str:
    return read.grpc_target(env, "PLANT_STORE_TARGET", DEFAULT_STORE_TARGET)


def client_tls(env: Mapping[str, str] = os.environ) -> ClientTls | None:
    """PLANT_STORE_TLS_*: the set complete, each file readable now (not at the first call)."""
    tls = ClientTls.from_env(env)
    for name in (CLIENT_CA, CLIENT_CERT, CLIENT_KEY):
        read.readable_file(env, name)
    return tls


def checked_target(target: str | None, env: Mapping[str, str] = os.environ) -> str:
    """The store a job calls — `target` when given (its --target), else PLANT_STORE_TARGET —
    with the job's other client settings; refuses (InvalidSetting) any it could not use,
    before it starts."""
    chosen = (
        read.grpc_target({"--target": target}, "--target", DEFAULT_STORE_TARGET)
        if target is not None
        else store_target(env)
    )
    read.token(env, "STORE_AUTH_TOKEN")
    client_tls(env)
    return chosen
