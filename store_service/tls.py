"""TLS for the store's port and for its clients (PEM files named by the environment)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import grpc

from store_service.config import UnsafeConfiguration

SERVER_CERT, SERVER_KEY = "PLANT_STORE_TLS_CERT", "PLANT_STORE_TLS_KEY"
SERVER_CLIENT_CA = "PLANT_STORE_TLS_CLIENT_CA"
CLIENT_CA, CLIENT_CERT, CLIENT_KEY = (
    "PLANT_STORE_TLS_CA",
    "PLANT_STORE_TLS_CLIENT_CERT",
    "PLANT_STORE_TLS_CLIENT_KEY",
)


def _read(path: str | None) -> bytes | None:
    return Path(path).read_bytes() if path else None


def _require_complete(given: Mapping[str, str | None], required: Sequence[str]) -> None:
    """Part of a TLS set is refused: falling back to plaintext would send secrets in clear."""
    missing = [name for name in required if not given.get(name)]
    if missing and any(given.values()):
        present = ", ".join(name for name, value in given.items() if value)
        raise UnsafeConfiguration(
            f"incomplete TLS settings: {present} set but {', '.join(missing)} missing"
        )


def server_credentials(
    cert_file: str | None, key_file: str | None, client_ca_file: str | None
) -> grpc.ServerCredentials | None:
    """The port's TLS credentials; None for plaintext, when no TLS setting is given at all."""
    given = {SERVER_CERT: cert_file, SERVER_KEY: key_file, SERVER_CLIENT_CA: client_ca_file}
    _require_complete(given, (SERVER_CERT, SERVER_KEY))
    if not (cert_file and key_file):
        return None
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
        given = {
            name: (env.get(name) or "").strip() or None
            for name in (CLIENT_CA, CLIENT_CERT, CLIENT_KEY)
        }
        mutual = (CLIENT_CERT, CLIENT_KEY) if given[CLIENT_CERT] or given[CLIENT_KEY] else ()
        _require_complete(given, (CLIENT_CA, *mutual))
        ca_file = given[CLIENT_CA]
        if ca_file is None:
            return None
        return cls(ca_file, given[CLIENT_CERT], given[CLIENT_KEY])
