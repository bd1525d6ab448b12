"""The `plant-store` command: serve the store or the adapter, migrate, and run jobs."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from datetime import datetime

import grpc

from plant_store_cli import environment
from plant_store_cli.environment import Variable
from plant_store_client import client_settings, start_failures
from plant_store_client.collector import pause_during_start_up
from plant_store_client.logging_context import configure_logging
from plant_store_client.version import VERSION
from store_service.config import StoreSettings


def _serve_store(_args: argparse.Namespace) -> int:
    pause_during_start_up()  # until the store serves (plant_store_client.collector)
    from store_service.server import serve

    _run_async(serve(StoreSettings.from_env()))
    return 0


def _serve_http(_args: argparse.Namespace) -> int:
    pause_during_start_up()  # until the app is built (plant_store_client.collector)
    from http_adapter.serve import serve_http

    serve_http()
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from store_service.db.migrate import migrate_database

    settings = StoreSettings.from_env()
    if settings.persistence_mode == "memory":
        print("PERSISTENCE_MODE=memory: the store migrates its own database at start-up")
        return 0
    message = asyncio.run(
        migrate_database(settings.effective_database_url, args.action, args.revision)
    )
    print(message)
    return 0


def _run_both(_args: argparse.Namespace) -> int:
    """Runs store and adapter as two processes; Ctrl-C (or SIGTERM) stops both."""
    addresses = _local_addresses()  # refuses a wrong setting once, before either process starts
    command = [sys.executable, "-m", "plant_store_cli"]
    store = subprocess.Popen([*command, "serve"])
    adapter = subprocess.Popen([*command, "http"])
    children = (adapter, store)
    asked_to_stop = False

    def stop_children() -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    def stop(_signum: int, _frame: object) -> None:
        nonlocal asked_to_stop
        asked_to_stop = True
        stop_children()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    threading.Thread(target=_announce_when_ready, args=(children, *addresses), daemon=True).start()
    while all(child.poll() is None for child in children):
        try:
            os.wait()
        except ChildProcessError:
            break
    ended = [child.returncode for child in children if child.poll() is not None]
    stop_children()
    for child in children:
        child.wait()
    if asked_to_stop:
        return 0  # a requested stop, however the children ended, is a clean one
    # One child ended on its own: a failure, reported with its exit status (not the SIGTERM
    # status of the other child, which was stopped because of it).
    return max(abs(code) for code in ended) or 1


def _local_addresses() -> tuple[str, str]:
    """The store's gRPC target and the adapter's base URL as seen from this machine."""
    from http_adapter.config import AdapterSettings
    from plant_store_client.settings_parsing import split_host_port

    listen = StoreSettings.from_env().listen
    http_host, http_port = split_host_port(AdapterSettings.from_env().http_listen)
    base = f"http://{_local(http_host)}:{http_port}"
    if listen.startswith("unix:"):
        return listen, base
    store_host, store_port = split_host_port(listen)
    return f"{_local(store_host)}:{store_port}", base


def _announce_when_ready(
    children: Sequence[subprocess.Popen[bytes]], store_target: str, base: str
) -> None:
    """Once both processes answer, says where they are (for `make run`'s newcomer)."""
    from plant_store_client.probe import check_health

    for _ in range(600):
        if any(child.poll() is not None for child in children):
            return
        if asyncio.run(check_health(store_target, deadline_seconds=1)) == "SERVING" and _answers(
            f"{base}/healthz"
        ):
            print(
                f"Plant Store {VERSION} is ready.\n"
                f"  REST API  {base}/api/v1/agent-types\n"
                f"  API docs  {base}/docs\n"
                f"  gRPC      {store_target}  (.venv/bin/grpcurl -plaintext {store_target} list)\n"
                "Ctrl-C stops both.",
                flush=True,
            )
            return
        time.sleep(0.2)


def _local(host: str) -> str:
    """A host to reach a listener on this machine by (a wildcard address is not one), in
    brackets when it is an IPv6 address, as targets and URLs write it."""
    if host in ("", "0.0.0.0", "::"):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _period_end(args: argparse.Namespace) -> int:
    from plant_store_cli.jobs import period_end

    print(asyncio.run(period_end(args.target, args.now, args.batch_size, not args.quiet)))
    return 0


def _trial_end(args: argparse.Namespace) -> int:
    from plant_store_cli.jobs import trial_end

    print(asyncio.run(trial_end(args.target, args.now, args.batch_size, not args.quiet)))
    return 0


def _run_due(args: argparse.Namespace) -> int:
    from plant_store_cli.jobs import run_due

    summary = run_due(args.target, args.now, args.instance, args.page_size, not args.quiet)
    print(asyncio.run(summary))
    return 0


def _purge_idempotency(args: argparse.Namespace) -> int:
    from plant_store_cli.jobs import purge_idempotency

    summary = purge_idempotency(
        args.target,
        args.now,
        args.older_than_hours,
        args.batch_size,
        args.dry_run,
        not args.quiet,
    )
    print(asyncio.run(summary))
    return 0


def _purge_expired(args: argparse.Namespace) -> int:
    from plant_store_cli.jobs import purge_expired

    summary = purge_expired(args.target, args.now, args.batch_size, args.dry_run, not args.quiet)
    print(asyncio.run(summary))
    return 0


def _health(args: argparse.Namespace) -> int:
    from plant_store_client.probe import probe

    if args.self:
        return 0 if _serving_here() else 1
    return 0 if probe(args.target, args.service) else 1


def _serving_here() -> bool:
    """Whether what answers at this machine's configured addresses is healthy: the store
    SERVING, the adapter ready. Whichever of the two this machine (a container) does not run
    refuses the connection and is left out; when neither answers, nothing here is healthy."""
    from plant_store_client.probe import check_health

    store_target, base = _local_addresses()
    store = asyncio.run(check_health(store_target))
    adapter = _readiness(f"{base}/readyz")
    print(f"store {store_target}: {store}; adapter {base}: {adapter}")
    answered = [status for status in (store, adapter) if status not in ("UNREACHABLE", "absent")]
    return bool(answered) and all(status in ("SERVING", "ready") for status in answered)


def _readiness(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=3):
            return "ready"
    except urllib.error.HTTPError:
        return "not ready"
    except OSError:  # refused, or no answer in time
        return "absent"


def _run_async(coroutine: object) -> None:
    try:
        import uvloop
    except ImportError:
        asyncio.run(coroutine)  # type: ignore[arg-type]
        return
    # Outside the try: an ImportError raised while the coroutine runs (a database driver this
    # URL needs, not installed) is its own error, not a reason to run the coroutine again.
    uvloop.run(coroutine)  # type: ignore[arg-type]


def _time(text: str) -> datetime:
    from plant_store_cli.jobs import parse_time

    try:
        return parse_time(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO-8601 time: {text!r} (e.g. 2026-03-01T00:00:00Z)"
        ) from None


def _command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    summary: str,
    variables: Iterable[Variable],
    parents: Sequence[argparse.ArgumentParser] = (),
) -> argparse.ArgumentParser:
    return commands.add_parser(
        name,
        parents=list(parents),
        help=summary,
        description=summary,
        epilog=environment.describe(variables),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="plant-store",
        description=__doc__,
        epilog="`plant-store COMMAND --help` lists a command's options and environment.\n"
        + start_failures.EXIT_STATUS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {VERSION}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _command(commands, "serve", "serve the gRPC store", environment.STORE).set_defaults(
        func=_serve_store
    )
    _command(commands, "http", "serve the REST adapter", environment.ADAPTER).set_defaults(
        func=_serve_http
    )
    _command(
        commands,
        "run",
        "serve store and adapter as two processes (Ctrl-C stops both)",
        (*environment.STORE, *environment.ADAPTER),
    ).set_defaults(func=_run_both)

    migrate = _command(
        commands, "migrate", "migrate the database (DATABASE_URL)", environment.DATABASE
    )
    migrate.add_argument("action", nargs="?", choices=("upgrade", "downgrade"), default="upgrade")
    migrate.add_argument(
        "revision", nargs="?", default="head", help="target revision (default: %(default)s)"
    )
    migrate.set_defaults(func=_migrate)

    target = argparse.ArgumentParser(add_help=False)
    target.add_argument(
        "--target",
        help="the store's gRPC address (default: PLANT_STORE_TARGET, else 127.0.0.1:50051)",
    )
    health = _command(
        commands, "health", "exit 0 when the store reports SERVING", environment.JOB, [target]
    )
    health.add_argument("--service", default="", help="one service's status (default: overall)")
    health.add_argument(
        "--self",
        action="store_true",
        help="check what this machine or container serves at PLANT_STORE_LISTEN and "
        "PLANT_HTTP_LISTEN (the store SERVING, the adapter's /readyz): the image's HEALTHCHECK",
    )
    health.set_defaults(func=_health)

    # Every job prints progress lines on stderr, then one JSON summary line on stdout.
    quiet = argparse.ArgumentParser(add_help=False, parents=[target])
    quiet.add_argument("--quiet", action="store_true", help="no progress lines")
    batches = argparse.ArgumentParser(add_help=False, parents=[quiet])
    batches.add_argument(
        "--batch-size",
        type=int,
        default=0,
        help="rows per transaction (default: 0, the store's choice)",
    )
    job = argparse.ArgumentParser(add_help=False, parents=[batches])
    job.add_argument(
        "--now", type=_time, help="effective time, ISO-8601 (default: the store's clock)"
    )
    _command(
        commands,
        "period-end",
        "make due scheduled cancellations effective",
        environment.JOB,
        [job],
    ).set_defaults(func=_period_end)
    _command(
        commands, "trial-end", "end expired trials (converted or not)", environment.JOB, [job]
    ).set_defaults(func=_trial_end)
    run_due = _command(
        commands,
        "run-due",
        "generate the drafts that are due",
        environment.JOB,
        [quiet],
    )
    run_due.add_argument("--now", type=_time, help="effective time, ISO-8601 (default: now)")
    run_due.add_argument("--instance", help="only this hired instance")
    run_due.add_argument(
        "--page-size", type=int, default=1000, help="instances per call (default: %(default)s)"
    )
    run_due.set_defaults(func=_run_due)
    purge = _command(
        commands,
        "purge-idempotency",
        "delete expired idempotency records",
        environment.JOB,
        [batches],
    )
    purge.add_argument(
        "--now", type=_time, help="reference time, ISO-8601 (default: the store's clock)"
    )
    purge.add_argument(
        "--older-than-hours",
        type=float,
        help="retention (default: the store's IDEMPOTENCY_RETENTION_HOURS)",
    )
    purge.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    purge.set_defaults(func=_purge_idempotency)
    expired = _command(
        commands,
        "purge-expired",
        "delete data past its retention (expired hired agents, old records and events)",
        environment.JOB,
        [job],
    )
    expired.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    expired.set_defaults(func=_purge_expired)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from plant_store_client.configuration import UnsafeConfiguration
    from plant_store_client.settings_parsing import log_level
    from store_service.db.migrate import SchemaAhead
    from store_service.server import SchemaOutOfDate

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        configure_logging(log_level(), service=f"plant-store {args.command}")
        logging.getLogger("alembic").setLevel(logging.WARNING)
        if "target" in args:  # a job or health check: its client settings, before it starts
            args.target = client_settings.checked_target(args.target)
        code: int = args.func(args)
    except (SchemaOutOfDate, SchemaAhead, UnsafeConfiguration) as refusal:
        return start_failures.report(args.command, refusal, start_failures.CONFIGURATION)
    except start_failures.StartFailure as failure:
        return start_failures.report(args.command, failure, start_failures.RUNTIME)
    except grpc.aio.AioRpcError as error:
        # The store refused or could not be reached: say so in one line, not a traceback.
        print(
            f"plant-store {args.command}: {error.code().name}: {error.details()}", file=sys.stderr
        )
        return 1
    return code
