"""TLS for the store's port and for its clients (PEM files named by the environment)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import grpc


def _read(path: str | None) -> bytes | None:
    return Path(path).read_bytes() if path else None


def server_credentials(
    cert_file: str, key_file: str, client_ca_file: str | None
) -> grpc.ServerCredentials:
    client_ca = _read(client_ca_file)
    return grpc.ssl_server_credentials(
        [(Path(key_file).read_bytes(), Path(cert_file).read_bytes())],
        root_certificates=client_ca,
        require_client_auth=client_ca is not None,
    )


@dataclass(frozen=True, slots=True)
class ClientTls:
    """How a client checks the store (CA) and, for mutual TLS, proves who it is."""

    ca_file: str
    cert_file: str | None = None
    key_file: str | None = None

    def credentials(self) -> grpc.ChannelCredentials:
        return grpc.ssl_channel_credentials(
            root_certificates=_read(self.ca_file),
            private_key=_read(self.key_file),
            certificate_chain=_read(self.cert_file),
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ClientTls | None:
        """PLANT_STORE_TLS_CA (and, for mutual TLS, PLANT_STORE_TLS_CLIENT_CERT/_KEY)."""
        env = os.environ if env is None else env
        ca_file = (env.get("PLANT_STORE_TLS_CA") or "").strip()
        if not ca_file:
            return None
        return cls(
            ca_file,
            (env.get("PLANT_STORE_TLS_CLIENT_CERT") or "").strip() or None,
            (env.get("PLANT_STORE_TLS_CLIENT_KEY") or "").strip() or None,
        )
