"""TLS for the store's clients, and the rules both ends' settings follow (PEM files named by
the environment)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import grpc

from plant_store_client.configuration import UnsafeConfiguration

CLIENT_CA, CLIENT_CERT, CLIENT_KEY = (
    "PLANT_STORE_TLS_CA",
    "PLANT_STORE_TLS_CLIENT_CERT",
    "PLANT_STORE_TLS_CLIENT_KEY",
)


def read_pem(path: str | None) -> bytes | None:
    return Path(path).read_bytes() if path else None


def require_complete(given: Mapping[str, str | None], required: Sequence[str]) -> None:
    """Part of a TLS set is refused: falling back to plaintext would send secrets in clear."""
    missing = [name for name in required if not given.get(name)]
    if missing and any(given.values()):
        present = ", ".join(name for name, value in given.items() if value)
        raise UnsafeConfiguration(
            f"incomplete TLS settings: {present} set but {', '.join(missing)} missing"
        )


@dataclass(frozen=True, slots=True)
class ClientTls:
    """How a client checks the store (CA) and, for mutual TLS, proves who it is."""

    ca_file: str
    cert_file: str | None = None
    key_file: str | None = None

    def credentials(self) -> grpc.ChannelCredentials:
        return grpc.ssl_channel_credentials(
            root_certificates=read_pem(self.ca_file),
            private_key=read_pem(self.key_file),
            certificate_chain=read_pem(self.cert_file),
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ClientTls | None:
        """PLANT_STORE_TLS_CA (and, for mutual TLS, PLANT_STORE_TLS_CLIENT_CERT/_KEY)."""
        env = os.environ if env is None else env
        given = {
            name: (env.get(name) or "").strip() or None
            for name in (CLIENT_CA, CLIENT_CERT, CLIENT_KEY)
        }
        mutual = (CLIENT_CERT, CLIENT_KEY) if given[CLIENT_CERT] or given[CLIENT_KEY] else ()
        require_complete(given, (CLIENT_CA, *mutual))
        ca_file = given[CLIENT_CA]
        if ca_file is None:
            return None
        return cls(ca_file, given[CLIENT_CERT], given[CLIENT_KEY])
