"""TLS between adapter and store, with and without client certificates."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from plant_store_client.tls import ClientTls
from tests.harness import adapter_client, adapter_settings, running_store, store_settings


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _signed(name: str, cwd: Path) -> None:
    _openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        f"{name}.key",
        "-out",
        f"{name}.csr",
        "-subj",
        f"/CN={name}",
        cwd=cwd,
    )
    (cwd / f"{name}.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    _openssl(
        "x509",
        "-req",
        "-in",
        f"{name}.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        f"{name}.pem",
        "-days",
        "1",
        "-extfile",
        f"{name}.ext",
        cwd=cwd,
    )


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A throwaway CA, a server certificate for 127.0.0.1 and a client certificate."""
    folder = tmp_path_factory.mktemp("tls")
    _openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "1",
        "-subj",
        "/CN=plant-test-ca",
        cwd=folder,
    )
    _signed("server", folder)
    _signed("client", folder)
    return folder


async def agent_types_status(store: object, tls: ClientTls | None) -> int:
    async with adapter_client(adapter_settings(store, store_tls=tls)) as http:  # type: ignore[arg-type]
        return (await http.get("/api/v1/agent-types")).status_code


async def test_adapter_talks_tls_to_the_store(database_url: str, certificates: Path) -> None:
    settings = store_settings(
        database_url,
        tls_cert_file=str(certificates / "server.pem"),
        tls_key_file=str(certificates / "server.key"),
    )
    async with running_store(settings) as store:
        assert await agent_types_status(store, ClientTls(str(certificates / "ca.pem"))) == 200
        assert await agent_types_status(store, None) == 503


async def test_mutual_tls_needs_a_client_certificate(database_url: str, certificates: Path) -> None:
    settings = store_settings(
        database_url,
        tls_cert_file=str(certificates / "server.pem"),
        tls_key_file=str(certificates / "server.key"),
        tls_client_ca_file=str(certificates / "ca.pem"),
    )
    ca = str(certificates / "ca.pem")
    async with running_store(settings) as store:
        assert await agent_types_status(store, ClientTls(ca)) == 503
        with_certificate = ClientTls(
            ca, str(certificates / "client.pem"), str(certificates / "client.key")
        )
        assert await agent_types_status(store, with_certificate) == 200
