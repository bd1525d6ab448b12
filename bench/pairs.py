"""Which of two versions of the code serves the REST flow cheaper: interleaved yardstick runs.

Each version is a git revision (checked out into a temporary worktree) or `.` (the working tree
as it is). Every round runs the yardstick once against each version, alternating which goes
first. This machine's speed drifts by ±20 % within minutes, so compare the versions by the
ratio of store + adapter + PostgreSQL CPU per flow to the load generator's (the same code in
every run), round by round, rather than by flows/s across runs. The virtualenv (dependencies)
is this checkout's for every version; migrations, store and adapter are each version's own.

    .venv/bin/python -m bench.pairs --rounds 3 e816d6a . -- --by-id --concurrency 32 --duration 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from bench.harness import heading
from bench.yardstick import main as yardstick

REPOSITORY = Path(__file__).resolve().parents[1]
WORKING_TREE = "."
DEFAULT_YARDSTICK_ARGS = ["--by-id", "--concurrency", "32", "--duration", "20"]


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=REPOSITORY, check=True, capture_output=True, text=True
    ).stdout.strip()


@contextmanager
def checked_out(version: str, path: Path) -> Iterator[Path | None]:
    """The code of `version`: None for the working tree, else a worktree at `path`, removed
    afterwards."""
    if version == WORKING_TREE:
        yield None
        return
    commit = _git("rev-parse", "--verify", f"{version}^{{commit}}")
    _git("worktree", "add", "--detach", str(path), commit)
    try:
        yield path
    finally:
        _git("worktree", "remove", "--force", str(path))


def _run_summary(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "flows_per_s": result["flows_per_s"],
        "errors": result["errors"],
        "cpu_ms_per_flow": result["cpu_ms_per_flow"],
        "ratio": result["ratio_to_load_generator"],
    }


def _median(values: Iterator[float]) -> float:
    return round(statistics.median(values), 3)


def _medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    components = runs[0]["cpu_ms_per_flow"]
    return {
        "flows_per_s": _median(run["flows_per_s"] for run in runs),
        "ratio": _median(run["ratio"] for run in runs),
        "errors": sum(run["errors"] for run in runs),
        "cpu_ms_per_flow": {
            name: _median(run["cpu_ms_per_flow"][name] for run in runs) for name in components
        },
    }


async def compare(
    versions: list[str], rounds: int, warmup: float, yardstick_args: list[str]
) -> dict[str, Any]:
    runs: dict[str, list[dict[str, Any]]] = {version: [] for version in versions}
    with tempfile.TemporaryDirectory(prefix="plant-pairs-") as parent, ExitStack() as stack:
        sources = {
            version: stack.enter_context(checked_out(version, Path(parent) / str(position)))
            for position, version in enumerate(versions)
        }
        for round_number in range(rounds):
            order = versions if round_number % 2 == 0 else versions[::-1]
            for version in order:
                result = await yardstick(yardstick_args, warmup, sources[version])
                runs[version].append(_run_summary(result))
    return heading("pairs") | {
        "arguments": yardstick_args,
        "rounds": rounds,
        "versions": [
            {"version": version, "runs": runs[version], "median": _medians(runs[version])}
            for version in versions
        ],
        # Round by round, each version's ratio over the first version's: below 1 is cheaper.
        "relative_to_first": {
            version: [
                round(run["ratio"] / first["ratio"], 3)
                for run, first in zip(runs[version], runs[versions[0]], strict=True)
            ]
            for version in versions[1:]
        },
    }


def _parse(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """Our arguments, and the yardstick's (after `--`)."""
    ours, theirs = (
        (argv[: argv.index("--")], argv[argv.index("--") + 1 :])
        if "--" in argv
        else (argv, DEFAULT_YARDSTICK_ARGS)
    )
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="runs of each version")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds per run")
    parser.add_argument("versions", nargs="+", help=f"git revisions, or {WORKING_TREE!r}")
    args = parser.parse_args(ours)
    if len(set(args.versions)) != len(args.versions) or len(args.versions) < 2:
        parser.error("name at least two versions, each once")
    return args, theirs


if __name__ == "__main__":
    args, yardstick_args = _parse(sys.argv[1:])
    report = asyncio.run(compare(args.versions, args.rounds, args.warmup, yardstick_args))
    print(json.dumps(report, indent=2))
