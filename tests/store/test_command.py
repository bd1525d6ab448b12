"""What an operator meets first: `plant-store`'s help, its version, and the settings it lists."""

from __future__ import annotations

import json
import re
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx
import pytest

from plant_store_cli import environment
from plant_store_cli.command import build_parser, main
from store_service.db.models import HiredInstance, IdempotencyRecord, Subscription
from store_service.metrics import REGISTRY
from store_service.server import StoreServer
from tests.flows import add_goal, finalize, hire, ok
from tests.harness import adapter_client, adapter_settings, running_store, store_settings
from tests.processes import (
    free_port,
    run_cli,
    run_cli_apart,
    start_process,
    stop_process,
    wait_live,
)
from tests.seeds import START, idempotency_row, instance_row, seed, subscription_row
from tests.store.test_idempotency import count_rows

ROOT = Path(__file__).resolve().parents[2]
# `env.get("NAME"`, `environ.get("NAME"` and `parser(env, "NAME"` (plant_store_client/
# settings_parsing.py): how every setting is read.
READS = re.compile(r"""(?:(?:env|environ)\.get\(|\w\(\s*env,)\s*"([A-Z][A-Z0-9_]+)\"""")


def subcommands() -> dict[str, str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return {name: sub.format_help() for name, sub in action.choices.items()}  # type: ignore[union-attr]


def test_version_is_the_installed_distributions(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"plant-store {version('plant-store')}"


def test_no_command_prints_the_command_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    listed = capsys.readouterr().out
    for name in subcommands():
        assert re.search(rf"^\s+{re.escape(name)}\b", listed, re.MULTILINE), name


def test_every_command_lists_its_options_and_environment() -> None:
    helps = subcommands()
    expected = {
        "serve": environment.STORE,
        "http": environment.ADAPTER,
        "migrate": environment.DATABASE,
        "health": environment.JOB,
        "period-end": environment.JOB,
        "run-due": environment.JOB,
    }
    for name, variables in expected.items():
        section = helps[name].split("environment:\n", 1)[1]
        for variable in variables:
            assert re.search(rf"^\s+{variable.name}\s.*\(default: ", section, re.MULTILINE), (
                name,
                variable.name,
            )
    assert "--batch-size" in helps["period-end"] and "--dry-run" in helps["purge-expired"]


def test_every_setting_the_code_reads_is_listed_and_documented() -> None:
    read = {
        name
        for package in ("plant_store_client", "plant_store_cli", "store_service", "http_adapter")
        for source in (ROOT / package).rglob("*.py")
        for name in READS.findall(source.read_text())
    }
    listed = {
        variable.name
        for group in (environment.STORE, environment.ADAPTER, environment.JOB)
        for variable in group
    }
    assert read, "no setting found: the pattern no longer matches how settings are read"
    assert read - listed == set()
    readme = (ROOT / "README.md").read_text()
    assert {name for name in listed if f"`{name}`" not in readme} == set()


async def test_both_processes_export_their_version(http: httpx.AsyncClient) -> None:
    expected = {"version": version("plant-store")}
    assert REGISTRY.get_sample_value("plant_build_info", expected) == 1.0
    scraped = (await http.get("/metrics")).text
    assert f'plant_build_info{{version="{expected["version"]}"}} 1.0' in scraped
    assert (await http.get("/openapi.json")).json()["info"]["version"] == expected["version"]


async def test_self_check_passes_where_the_store_serves(database_url: str) -> None:
    absent = f"127.0.0.1:{free_port()}"  # no adapter on this "machine"
    async with running_store(store_settings(database_url)) as store:
        env = {"PLANT_STORE_LISTEN": f"127.0.0.1:{store.port}", "PLANT_HTTP_LISTEN": absent}
        code, output = await run_cli("health", "--self", env=env)
    assert (code, output.strip().splitlines()[-1]) == (
        0,
        f"store 127.0.0.1:{store.port}: SERVING; adapter http://{absent}: absent",
    )


async def test_self_check_fails_where_nothing_serves() -> None:
    store, http = f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"
    env = {"PLANT_STORE_LISTEN": store, "PLANT_HTTP_LISTEN": http}
    code, output = await run_cli("health", "--self", env=env)
    assert (code, output.strip().splitlines()[-1]) == (
        1,
        f"store {store}: UNREACHABLE; adapter http://{http}: absent",
    )


async def test_self_check_fails_where_the_adapter_cannot_reach_its_store() -> None:
    http = f"127.0.0.1:{free_port()}"
    env = {
        "PLANT_STORE_TARGET": f"127.0.0.1:{free_port()}",
        "PLANT_STORE_LISTEN": f"127.0.0.1:{free_port()}",
        "PLANT_HTTP_LISTEN": http,
    }
    adapter = await start_process("http", env=env)
    try:
        await wait_live(f"http://{http}")
        code, output = await run_cli("health", "--self", env=env)
    finally:
        await stop_process(adapter)
    assert code == 1
    assert output.strip().endswith(f"adapter http://{http}: not ready")


# Every job's output, as a script reads it: one JSON summary line on stdout, progress on stderr.
SUMMARY_KEYS = {"job", "now", "dry_run", "seconds"}
PROGRESS = re.compile(r"^(?P<job>[a-z-]+): (?P<counts>.+) \((?P<rate>\d[\d,]*)/s\)$")
COUNT = re.compile(r"^(\d[\d,]*) ([a-z ]+)$")
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$")


def summary_of(output: str, job: str, dry_run: bool = False) -> dict[str, Any]:
    """The one line on stdout, checked for the shape every job shares."""
    [line] = output.splitlines()
    summary: dict[str, Any] = json.loads(line)
    assert set(summary) >= SUMMARY_KEYS, summary
    assert (summary["job"], summary["dry_run"]) == (job, dry_run)
    assert ISO_UTC.match(summary["now"]), summary["now"]
    assert type(summary["seconds"]) is float and summary["seconds"] >= 0
    counts = {key: value for key, value in summary.items() if key not in SUMMARY_KEYS}
    assert counts and all(type(value) is int for value in counts.values()), summary
    return counts


def progress_of(errors: str, job: str) -> list[dict[str, int]]:
    """Every stderr line as a progress line of this job: its counts by their words."""
    steps = []
    for line in errors.splitlines():
        matched = PROGRESS.match(line)
        assert matched and matched["job"] == job, line
        counts = [COUNT.match(part) for part in matched["counts"].split(", ")]
        assert all(counts), line
        steps.append({c[2]: int(c[1].replace(",", "")) for c in counts if c})
    return steps


async def run_job(store: StoreServer, *args: str) -> tuple[str, str]:
    code, output, errors = await run_cli_apart(*args, "--target", f"127.0.0.1:{store.port}", env={})
    assert code == 0, errors
    return output, errors


DUE = "2026-01-05T00:00:00Z"


async def test_period_end_shows_its_steps_and_sums_them_up(postgres_url: str) -> None:
    await seed(postgres_url, [subscription_row(i, cancel_at_period_end=True) for i in range(5)])
    async with running_store(store_settings(postgres_url)) as store:
        output, errors = await run_job(store, "period-end", "--now", DUE, "--batch-size", "2")
    assert summary_of(output, "period-end") == {"processed": 5}
    assert json.loads(output)["now"] == DUE
    # A call per batch, and one more that finds nothing left.
    steps = progress_of(errors, "period-end")
    assert [step["subscriptions processed"] for step in steps] == [2, 4, 5, 5]
    assert await count_rows(postgres_url, Subscription, status="canceled") == 5


async def test_trial_end_shows_its_steps_and_sums_them_up(postgres_url: str) -> None:
    await seed(
        postgres_url,
        [subscription_row(i) for i in range(5)],
        [instance_row(i, trial_status="active", trial_end_at=START) for i in range(5)],
    )
    async with running_store(store_settings(postgres_url)) as store:
        output, errors = await run_job(store, "trial-end", "--now", DUE, "--batch-size", "2")
    assert summary_of(output, "trial-end") == {"processed": 5}
    steps = progress_of(errors, "trial-end")
    assert [step["trials processed"] for step in steps] == [2, 4, 5, 5]
    ended = await count_rows(postgres_url, HiredInstance, trial_status="ended_converted")
    assert ended == 5


async def test_purge_idempotency_shows_its_steps_and_sums_them_up(postgres_url: str) -> None:
    await seed(postgres_url, records=[idempotency_row(i) for i in range(5)])
    async with running_store(store_settings(postgres_url)) as store:
        common = ("purge-idempotency", "--now", DUE, "--batch-size", "2")
        dry_output, dry_errors = await run_job(store, *common, "--dry-run")
        assert await count_rows(postgres_url, IdempotencyRecord) == 5
        output, errors = await run_job(store, *common)
    assert summary_of(dry_output, "purge-idempotency", dry_run=True) == {"purged": 5}
    assert progress_of(dry_errors, "purge-idempotency") == [{"idempotency records to purge": 5}]
    assert summary_of(output, "purge-idempotency") == {"purged": 5}
    steps = progress_of(errors, "purge-idempotency")
    assert [step["idempotency records purged"] for step in steps] == [2, 4, 5, 5]
    assert await count_rows(postgres_url, IdempotencyRecord) == 0


async def test_purge_expired_shows_its_steps_and_sums_them_up(postgres_url: str) -> None:
    await seed(
        postgres_url,
        [subscription_row(i, status="canceled", ended_at=START) for i in range(3)],
        [instance_row(i) for i in range(3)],
        [idempotency_row(i) for i in range(2)],
    )
    later = "2026-03-01T00:00:00.250000Z"
    async with running_store(store_settings(postgres_url)) as store:
        output, errors = await run_job(store, "purge-expired", "--now", later, "--batch-size", "2")
    summary = summary_of(output, "purge-expired")
    assert summary == {"hired_instances": 3, "idempotency_records": 2, "delivered_events": 0}
    assert json.loads(output)["now"] == later
    steps = progress_of(errors, "purge-expired")
    assert [tuple(step.values()) for step in steps] == [(2, 0, 0), (3, 0, 0), (3, 2, 0), (3, 2, 0)]
    assert set(steps[0]) == {
        "hired agents purged",
        "idempotency records purged",
        "delivered events purged",
    }
    assert await count_rows(postgres_url, HiredInstance) == 0


async def test_run_due_sums_up_in_the_same_shape(postgres_url: str) -> None:
    async with running_store(store_settings(postgres_url)) as store:
        async with adapter_client(adapter_settings(store)) as http:
            for customer in ("due-1", "due-2"):
                hired = await hire(http, customer)
                ok(
                    await add_goal(
                        http,
                        hired,
                        customer,
                        goal_template_id="trading.guardrail_report.v1",
                        frequency="daily",
                        settings={},
                    )
                )
                ok(await finalize(http, hired, customer))
        output, errors = await run_job(store, "run-due", "--page-size", "1")
        quiet, quiet_errors = await run_job(store, "run-due", "--page-size", "1", "--quiet")
    assert summary_of(output, "run-due") == {"instances_examined": 2, "generated": 2}
    steps = progress_of(errors, "run-due")
    assert len(steps) > 1 and steps[-1] == {"instances examined": 2, "drafts generated": 2}
    assert summary_of(quiet, "run-due") == {"instances_examined": 2, "generated": 0}
    assert quiet_errors == ""
