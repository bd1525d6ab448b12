"""TLS for the store's port (PEM files named by the environment)."""

from __future__ import annotations

from pathlib import Path

import grpc

from plant_store_client.tls import read_pem, require_complete

SERVER_CERT, SERVER_KEY = "PLANT_STORE_TLS_CERT", "PLANT_STORE_TLS_KEY"
SERVER_CLIENT_CA = "PLANT_STORE_TLS_CLIENT_CA"


def server_credentials(
    cert_file: str | None, key_file: str | None, client_ca_file: str | None
) -> grpc.ServerCredentials | None:
    """The port's TLS credentials; None for plaintext, when no TLS setting is given at all."""
    given = {SERVER_CERT: cert_file, SERVER_KEY: key_file, SERVER_CLIENT_CA: client_ca_file}
    require_complete(given, (SERVER_CERT, SERVER_KEY))
    if not (cert_file and key_file):
        return None
    client_ca = read_pem(client_ca_file)
    return grpc.ssl_server_credentials(
        [(Path(key_file).read_bytes(), Path(cert_file).read_bytes())],
        root_certificates=client_ca,
        require_client_auth=client_ca is not None,
    )
