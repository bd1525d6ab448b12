"""A process that cannot start says why in one line on stderr, naming the setting it got wrong.

Exit 2: a setting (or argument) it refuses; exit 1: a start-up that failed at run time (a busy
port, a database it cannot use). The traceback only with LOG_LEVEL=DEBUG.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from plant_store_cli.command import _run_async
from tests.databases import PostgresDatabases, sqlite_url
from tests.processes import CLI, free_port, run_cli_apart

CONFIGURATION, RUNTIME = 2, 1


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A store and an adapter that would start: each test gets one setting wrong."""
    return {
        "LOG_LEVEL": "INFO",
        "DATABASE_URL": sqlite_url(tmp_path / "store.db"),
        "PLANT_STORE_LISTEN": f"127.0.0.1:{free_port()}",
        "PLANT_HTTP_LISTEN": f"127.0.0.1:{free_port()}",
        "PLANT_STORE_TARGET": f"127.0.0.1:{free_port()}",
    }


@contextmanager
def busy_port() -> Iterator[str]:
    """An address another process (here: this test) already listens on."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield f"127.0.0.1:{taken.getsockname()[1]}"


def one_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


# (command, variable, value, what the line says is accepted)
WRONG_SETTINGS = [
    ("serve", "STORE_DB_POOL_SIZE", "abc", "a whole number from 1"),
    ("serve", "STORE_DB_POOL_SIZE", "0", "a whole number from 1"),
    ("serve", "STORE_LOCK_WAIT_SECONDS", "-1", "a number greater than 0"),
    ("serve", "STORE_SHUTDOWN_GRACE_SECONDS", "soon", "a number of at least 0"),
    ("serve", "IDEMPOTENCY_RETENTION_HOURS", "12", "a number of at least 24"),
    ("serve", "STORE_ALLOW_UNAUTHENTICATED", "ture", "true or false"),
    ("serve", "PERSISTENCE_MODE", "disk", "'db' or 'memory'"),
    ("serve", "PLANT_STORE_LISTEN", "127.0.0.1:70000", "host:port"),
    ("serve", "PLANT_STORE_METRICS_LISTEN", "9100", "host:port"),
    ("serve", "DATABASE_URL", "http://db.example/plant", "postgresql://"),
    ("migrate", "DATABASE_URL", "garbage", "sqlite://"),
    ("serve", "LOG_LEVEL", "verbose", "'debug'"),
    ("serve", "OTEL_TRACES_EXPORTER", "zipkin", "console"),
    ("http", "PLANT_HTTP_LISTEN", "garbage", "host:port"),
    ("http", "PLANT_HTTP_METRICS_LISTEN", "localhost", "host:port"),
    ("http", "PLANT_STORE_DEADLINE_SECONDS", "0", "a number greater than 0"),
    ("http", "PLANT_HTTP_MAX_BODY_BYTES", "1MB", "a whole number from 1"),
    ("http", "PLANT_STORE_TARGET", "store:port", "host:port"),
    ("http", "PLANT_STORE_TLS_CA", "/nonexistent/ca.pem", "a readable file"),
    ("period-end", "PLANT_STORE_TARGET", "a:b:c", "host:port"),
    ("health", "PLANT_STORE_TLS_CA", "/nonexistent/ca.pem", "a readable file"),
]


@pytest.mark.parametrize(("command", "name", "value", "accepted"), WRONG_SETTINGS)
async def test_a_wrong_setting_is_refused_in_one_line_naming_it(
    env: dict[str, str], command: str, name: str, value: str, accepted: str
) -> None:
    code, _, stderr = await run_cli_apart(command, env=env | {name: value})
    assert code == CONFIGURATION, stderr
    line = one_line(stderr)
    assert line.startswith(f"plant-store {command}: {name}='{value}'"), line
    assert accepted in line


async def test_a_store_tls_file_that_is_missing_is_named(env: dict[str, str]) -> None:
    files = {"PLANT_STORE_TLS_CERT": "/nonexistent/cert.pem", "PLANT_STORE_TLS_KEY": "k.pem"}
    code, _, stderr = await run_cli_apart("serve", env=env | files)
    assert code == CONFIGURATION
    assert one_line(stderr).startswith("plant-store serve: PLANT_STORE_TLS_")
    assert "readable file" in stderr


async def test_a_secret_is_never_shown(env: dict[str, str]) -> None:
    code, _, stderr = await run_cli_apart("serve", env=env | {"STORE_AUTH_TOKEN": "tök en"})
    assert code == CONFIGURATION
    assert one_line(stderr).startswith("plant-store serve: STORE_AUTH_TOKEN=(a secret, not shown)")
    assert "tök" not in stderr


@pytest.mark.parametrize("command", ["serve", "migrate"])
async def test_an_unsupported_database_is_refused_with_its_password_masked(
    env: dict[str, str], command: str
) -> None:
    url = {"DATABASE_URL": "mysql://plant:hunter2@127.0.0.1/plant"}
    code, _, stderr = await run_cli_apart(command, env=env | url)
    assert code == CONFIGURATION
    line = one_line(stderr)
    assert line.startswith(
        f"plant-store {command}: DATABASE_URL='mysql://plant:***@127.0.0.1/plant'"
    )
    assert "postgresql://" in line and "sqlite://" in line
    assert "hunter2" not in stderr


def test_a_driver_missing_while_serving_is_not_hidden_by_a_second_run() -> None:
    # An ImportError raised inside the coroutine once made `serve` run it again, hiding the
    # error behind "cannot reuse already awaited coroutine".
    async def needs_a_driver() -> None:
        raise ModuleNotFoundError("No module named 'MySQLdb'")

    with pytest.raises(ModuleNotFoundError, match="MySQLdb"):
        _run_async(needs_a_driver())


async def test_the_traceback_is_shown_at_debug(env: dict[str, str]) -> None:
    wrong = {"STORE_DB_POOL_SIZE": "abc", "LOG_LEVEL": "DEBUG"}
    code, _, stderr = await run_cli_apart("serve", env=env | wrong)
    assert code == CONFIGURATION
    first, *rest = stderr.splitlines()
    assert first == (
        "plant-store serve: STORE_DB_POOL_SIZE='abc' is not accepted: "
        "expected a whole number from 1 to 1000"
    )
    assert rest[0] == "Traceback (most recent call last):"


def _other_user(url: str) -> str:
    parts = urlsplit(url)
    netloc = f"nobody_{uuid.uuid4().hex[:8]}:hunter2@{parts.hostname}:{parts.port or 5432}"
    return urlunsplit(parts._replace(netloc=netloc))


async def test_database_failures_are_told_apart(
    env: dict[str, str], postgres: PostgresDatabases
) -> None:
    missing = postgres.url(f"missing_{uuid.uuid4().hex[:8]}")
    expected = {
        missing: "does not exist on",
        _other_user(postgres.url("postgres")): "authentication failed on",
        f"postgresql://plant:hunter2@127.0.0.1:{free_port()}/plant": "refused the connection",
        "postgresql://plant@no-such-host.invalid/plant": "unreachable: host name",
        sqlite_url(Path("/nonexistent/dir/store.db")): "cannot open the SQLite file",
    }
    for url, reason in expected.items():
        code, _, stderr = await run_cli_apart("migrate", env=env | {"DATABASE_URL": url})
        assert code == RUNTIME, stderr
        line = one_line(stderr)
        assert line.startswith("plant-store migrate: DATABASE_URL="), line
        assert [each for each in expected.values() if each in line] == [reason], line
        assert "hunter2" not in line


async def test_a_store_whose_database_does_not_exist_keeps_saying_so(
    env: dict[str, str], postgres: PostgresDatabases
) -> None:
    url = postgres.url(f"missing_{uuid.uuid4().hex[:8]}")
    store = await asyncio.create_subprocess_exec(
        *CLI,
        "serve",
        env=os.environ | env | {"DATABASE_URL": url},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    assert store.stderr is not None
    said: list[str] = []
    try:
        while len(said) < 2:  # at start, then again while it retries
            line = (await asyncio.wait_for(store.stderr.readline(), 30)).decode()
            assert line, "the store ended"
            if '"WARNING"' in line:
                said.append(line)
    finally:
        store.terminate()
        await store.wait()
    for line in said:
        assert "does not exist on" in line and "unreachable" not in line, line


@pytest.mark.parametrize(
    ("command", "name"),
    [
        ("serve", "PLANT_STORE_LISTEN"),
        ("serve", "PLANT_STORE_METRICS_LISTEN"),
        ("http", "PLANT_HTTP_LISTEN"),
        ("http", "PLANT_HTTP_METRICS_LISTEN"),
    ],
)
async def test_a_busy_port_is_named_in_one_line(
    env: dict[str, str], command: str, name: str
) -> None:
    assert (await run_cli_apart("migrate", env=env))[0] == 0
    with busy_port() as address:
        code, _, stderr = await run_cli_apart(command, env=env | {name: address})
    assert code == RUNTIME
    assert one_line(stderr) == (
        f"plant-store {command}: cannot listen on {name}={address}: "
        "the address is already in use (another process listens there)"
    )


async def test_run_reports_the_failing_process_status(env: dict[str, str]) -> None:
    assert (await run_cli_apart("migrate", env=env))[0] == 0
    with busy_port() as address:
        code, _, stderr = await run_cli_apart("run", env=env | {"PLANT_STORE_LISTEN": address})
    assert code == RUNTIME  # not the SIGTERM status (15) of the adapter stopped because of it
    assert f"plant-store serve: cannot listen on PLANT_STORE_LISTEN={address}" in stderr


async def test_run_refuses_a_wrong_setting_before_starting_anything(env: dict[str, str]) -> None:
    code, _, stderr = await run_cli_apart("run", env=env | {"PLANT_HTTP_LISTEN": "garbage"})
    assert code == CONFIGURATION
    assert one_line(stderr).startswith("plant-store run: PLANT_HTTP_LISTEN='garbage'")


async def test_an_unknown_revision_lists_the_known_ones(env: dict[str, str]) -> None:
    code, _, stderr = await run_cli_apart("migrate", "upgrade", "0009", env=env)
    assert code == CONFIGURATION
    line = one_line(stderr)
    assert line.startswith("plant-store migrate: upgrade 0009: Can't locate revision"), line
    assert "known revisions: 0001, 0002" in line and "(head " in line
