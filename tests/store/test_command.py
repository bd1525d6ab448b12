"""What an operator meets first: `plant-store`'s help, its version, and the settings it lists."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import httpx
import pytest

from plant_store_cli import environment
from plant_store_cli.command import build_parser, main
from store_service.metrics import REGISTRY
from tests.support.harness import running_store, store_settings
from tests.support.processes import free_port, run_cli, start_process, stop_process, wait_live

ROOT = Path(__file__).resolve().parents[2]
# `env.get("NAME"`, `environ.get("NAME"` and `parser(env, "NAME"` (plant_store_client/
# settings_parsing.py): how every setting is read.
READS = re.compile(r"""(?:(?:env|environ)\.get\(|\w\(\s*env,)\s*"([A-Z][A-Z0-9_]+)\"""")


def subcommands() -> dict[str, str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return {name: sub.format_help() for name, sub in action.choices.items()}  # type: ignore[union-attr]


@pytest.mark.unit
def test_version_is_the_installed_distributions(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"plant-store {version('plant-store')}"


@pytest.mark.unit
def test_no_command_prints_the_command_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    listed = capsys.readouterr().out
    for name in subcommands():
        assert re.search(rf"^\s+{re.escape(name)}\b", listed, re.MULTILINE), name


@pytest.mark.unit
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


@pytest.mark.unit
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
