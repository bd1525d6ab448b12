"""A throwaway PostgreSQL cluster of the test's own, for drills that stop or crash the server.

The shared server on 5432 serves every other test (and, on a shared machine, other people);
a drill that stops it breaks them. This cluster lives in a temporary directory, listens on a
free port and a socket directory of its own, and is removed at the end.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.processes import free_port

# initdb refuses to run as root: as root, the cluster belongs to this account.
SERVER_ACCOUNT = "postgres"


def server_binaries() -> Path | None:
    """The directory of initdb and pg_ctl (PATH first, then Debian's versioned layout)."""
    on_path = shutil.which("pg_ctl")
    if on_path is not None:
        return Path(on_path).parent
    installed = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda path: int(path.parts[-3])
    )
    return installed[-1].parent if installed else None


def why_unavailable() -> str | None:
    """None when a private cluster can be made here, else why not."""
    if server_binaries() is None:
        return "no PostgreSQL server binaries (initdb, pg_ctl) are installed"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return f"running as root without runuser to act as {SERVER_ACCOUNT!r}"
    return None


@dataclass
class PrivateCluster:
    directory: Path
    port: int

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://{SERVER_ACCOUNT}@127.0.0.1:{self.port}/postgres"

    async def _run(self, program: str, *args: str) -> None:
        binaries = server_binaries()
        assert binaries is not None, why_unavailable()
        command = [str(binaries / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SERVER_ACCOUNT, "--", *command]
        process = await asyncio.create_subprocess_exec(
            *command,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await process.communicate()
        assert process.returncode == 0, f"{program} {args}: {output.decode()}"

    async def create(self) -> None:
        await self._run(
            "initdb", "-D", str(self.data), "-A", "trust", "-U", SERVER_ACCOUNT, "--no-sync"
        )

    async def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
        log = str(self.directory / "server.log")
        await self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    async def stop(self, mode: str) -> None:
        """`fast` is an orderly shutdown; `immediate` is a crash (recovery runs at next start)."""
        await self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()


@asynccontextmanager
async def private_cluster() -> AsyncIterator[PrivateCluster]:
    """A started cluster in a fresh directory the server account owns; stopped and removed after."""
    directory = Path(tempfile.mkdtemp(prefix="plant-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, SERVER_ACCOUNT, SERVER_ACCOUNT)
    cluster = PrivateCluster(directory, free_port())
    try:
        await cluster.create()
        await cluster.start()
        yield cluster
    finally:
        if cluster.running():
            await cluster.stop("immediate")
        shutil.rmtree(directory)
