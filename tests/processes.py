"""Several real store and adapter processes on one database, as a deployment runs them."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from plant_store_client.probe import check_health

CLI = (sys.executable, "-m", "plant_store_cli")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Replica:
    store_target: str
    http_url: str


async def _wait(ready: object, what: str, seconds: float = 30) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not await ready():  # type: ignore[operator]
        if loop.time() > deadline:
            raise TimeoutError(f"{what} did not come up")
        await asyncio.sleep(0.2)


@asynccontextmanager
async def _process(*args: str, env: dict[str, str]) -> AsyncIterator[asyncio.subprocess.Process]:
    process = await start_process(*args, env=env)
    try:
        yield process
    finally:
        await stop_process(process)


@asynccontextmanager
async def replicas(
    database_url: str, count: int, env: dict[str, str] | None = None
) -> AsyncIterator[list[Replica]]:
    """`count` store processes, each with its own adapter process, all on one database."""
    async with AsyncExitStack() as stack:
        started: list[Replica] = []
        for _ in range(count):
            store_target = f"127.0.0.1:{free_port()}"
            http_port = free_port()
            common = {"DATABASE_URL": database_url, **(env or {})}
            await stack.enter_async_context(
                _process("serve", env=common | {"PLANT_STORE_LISTEN": store_target})
            )
            await stack.enter_async_context(
                _process(
                    "http",
                    env=common
                    | {
                        "PLANT_STORE_TARGET": store_target,
                        "PLANT_HTTP_LISTEN": f"127.0.0.1:{http_port}",
                    },
                )
            )
            started.append(Replica(store_target, f"http://127.0.0.1:{http_port}"))
        for replica in started:
            await _wait(lambda r=replica: _serving(r.store_target), f"store {replica.store_target}")
            await _wait(lambda r=replica: _answers(r.http_url), f"adapter {replica.http_url}")
        yield started


async def _serving(target: str) -> bool:
    return await check_health(target, deadline_seconds=1) == "SERVING"


async def _answers(url: str) -> bool:
    try:
        async with httpx.AsyncClient(base_url=url, timeout=1) as client:
            return (await client.get("/api/v1/agent-types")).status_code == 200
    except httpx.HTTPError:
        return False


async def _live(url: str) -> bool:
    try:
        async with httpx.AsyncClient(base_url=url, timeout=1) as client:
            return (await client.get("/healthz")).status_code == 200
    except httpx.HTTPError:
        return False


async def run_cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *CLI,
        *args,
        env=os.environ | (env or {}),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode or 0, output.decode()


async def run_cli_apart(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    """`plant-store ARGS` run to its end: exit code, stdout and stderr, each on its own."""
    process = await asyncio.create_subprocess_exec(
        *CLI,
        *args,
        env=os.environ | env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    output, errors = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode or 0, output.decode(), errors.decode()


async def start_process(
    *args: str,
    env: dict[str, str],
    source: Path | None = None,
    stderr: int | None = asyncio.subprocess.DEVNULL,
) -> asyncio.subprocess.Process:
    """`plant-store ARGS`; with `source`, from the code of that checkout instead of this one."""
    return await asyncio.create_subprocess_exec(
        *CLI,
        *args,
        env=os.environ | env | code_from(source),
        cwd=source,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=stderr,
    )


def code_from(source: Path | None) -> dict[str, str]:
    """The environment that makes `python -m` (run in `source`) import that checkout's code,
    its generated protobuf modules included, ahead of the installed project."""
    if source is None:
        return {}
    return {"PYTHONPATH": os.pathsep.join((str(source), str(source / "protos")))}


async def stop_process(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
            await process.wait()


async def wait_serving(target: str, seconds: float = 30) -> None:
    await _wait(lambda: _serving(target), f"store {target}", seconds)


async def wait_answering(url: str, seconds: float = 30) -> None:
    await _wait(lambda: _answers(url), f"adapter {url}", seconds)


async def wait_live(url: str, seconds: float = 30) -> None:
    """Until the adapter at `url` serves (its /healthz), whether or not its store answers."""
    await _wait(lambda: _live(url), f"adapter {url}", seconds)
