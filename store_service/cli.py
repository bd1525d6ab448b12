"""The `plant-store` command: serve the store or the adapter, migrate, and run jobs."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from datetime import datetime

import grpc

from store_service.collector import pause_during_start_up
from store_service.config import StoreSettings
from store_service.logging_context import configure_logging


def _serve_store(_args: argparse.Namespace) -> int:
    pause_during_start_up()  # until the store serves (store_service.collector)
    from store_service.server import serve

    _run_async(serve(StoreSettings.from_env()))
    return 0


def _serve_http(_args: argparse.Namespace) -> int:
    pause_during_start_up()  # until the app is built (store_service.collector)
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
    command = [sys.executable, "-m", "store_service.cli"]
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
    while all(child.poll() is None for child in children):
        try:
            os.wait()
        except ChildProcessError:
            break
    stop_children()
    codes = [child.wait() for child in children]
    if asked_to_stop:
        return 0  # a requested stop, however the children ended, is a clean one
    # One child ended on its own: that is a failure, reported with its exit status.
    return max(abs(code) for code in codes) or 1


def _period_end(args: argparse.Namespace) -> int:
    from store_service.jobs import period_end

    print(asyncio.run(period_end(args.target, args.now, args.batch_size)))
    return 0


def _trial_end(args: argparse.Namespace) -> int:
    from store_service.jobs import trial_end

    print(asyncio.run(trial_end(args.target, args.now, args.batch_size)))
    return 0


def _run_due(args: argparse.Namespace) -> int:
    from store_service.jobs import run_due

    summary = run_due(args.target, args.now, args.instance, args.page_size, not args.quiet)
    print(asyncio.run(summary))
    return 0


def _purge_idempotency(args: argparse.Namespace) -> int:
    from store_service.jobs import purge_idempotency

    print(
        asyncio.run(purge_idempotency(args.target, args.now, args.older_than_hours, args.dry_run))
    )
    return 0


def _purge_expired(args: argparse.Namespace) -> int:
    from store_service.jobs import purge_expired

    print(asyncio.run(purge_expired(args.target, args.now, args.batch_size, args.dry_run)))
    return 0


def _health(args: argparse.Namespace) -> int:
    from store_service.probe import probe

    return 0 if probe(args.target, args.service) else 1


def _run_async(coroutine: object) -> None:
    try:
        import uvloop

        uvloop.run(coroutine)  # type: ignore[arg-type]
    except ImportError:
        asyncio.run(coroutine)  # type: ignore[arg-type]


def _time(text: str) -> datetime:
    from store_service.jobs import parse_time

    try:
        return parse_time(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO-8601 time: {text!r} (e.g. 2026-03-01T00:00:00Z)"
        ) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="plant-store", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="serve the gRPC store").set_defaults(func=_serve_store)
    commands.add_parser("http", help="serve the REST adapter").set_defaults(func=_serve_http)
    commands.add_parser("run", help="serve store and adapter").set_defaults(func=_run_both)

    migrate = commands.add_parser("migrate", help="migrate the database (DATABASE_URL)")
    migrate.add_argument("action", nargs="?", choices=("upgrade", "downgrade"), default="upgrade")
    migrate.add_argument("revision", nargs="?", default="head")
    migrate.set_defaults(func=_migrate)

    target = argparse.ArgumentParser(add_help=False)
    target.add_argument(
        "--target",
        default=os.environ.get("PLANT_STORE_TARGET", "127.0.0.1:50051"),
        help="the store's gRPC address (default: PLANT_STORE_TARGET)",
    )
    health = commands.add_parser(
        "health", parents=[target], help="exit 0 when the store reports SERVING"
    )
    health.add_argument("--service", default="", help="one service's status (default: overall)")
    health.set_defaults(func=_health)

    job = argparse.ArgumentParser(add_help=False, parents=[target])
    job.add_argument(
        "--now", type=_time, help="effective time, ISO-8601 (default: the store's clock)"
    )
    job.add_argument("--batch-size", type=int, default=0, help="rows per transaction")
    commands.add_parser(
        "period-end", parents=[job], help="make due scheduled cancellations effective"
    ).set_defaults(func=_period_end)
    commands.add_parser(
        "trial-end", parents=[job], help="end expired trials (converted or not)"
    ).set_defaults(func=_trial_end)
    run_due = commands.add_parser(
        "run-due", parents=[target], help="generate the drafts that are due, with progress"
    )
    run_due.add_argument("--now", type=_time, help="effective time, ISO-8601 (default: now)")
    run_due.add_argument("--instance", help="only this hired instance")
    run_due.add_argument("--page-size", type=int, default=1000, help="instances per call")
    run_due.add_argument("--quiet", action="store_true", help="no progress lines")
    run_due.set_defaults(func=_run_due)
    purge = commands.add_parser(
        "purge-idempotency", parents=[target], help="delete expired idempotency records"
    )
    purge.add_argument(
        "--now", type=_time, help="reference time, ISO-8601 (default: the store's clock)"
    )
    purge.add_argument(
        "--older-than-hours", type=float, help="retention (default: IDEMPOTENCY_RETENTION_HOURS)"
    )
    purge.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    purge.set_defaults(func=_purge_idempotency)
    expired = commands.add_parser(
        "purge-expired",
        parents=[job],
        help="delete data past its retention (expired hired agents, old records and events)",
    )
    expired.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    expired.set_defaults(func=_purge_expired)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from store_service.config import UnsafeConfiguration
    from store_service.db.migrate import SchemaAhead
    from store_service.server import SchemaOutOfDate

    args = build_parser().parse_args(argv)
    configure_logging(os.environ.get("LOG_LEVEL", "INFO"), service=f"plant-store {args.command}")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        code: int = args.func(args)
    except (SchemaOutOfDate, SchemaAhead, UnsafeConfiguration) as refusal:
        print(f"plant-store {args.command}: {refusal}", file=sys.stderr)
        return 2
    except grpc.aio.AioRpcError as error:
        # The store refused or could not be reached: say so in one line, not a traceback.
        print(
            f"plant-store {args.command}: {error.code().name}: {error.details()}", file=sys.stderr
        )
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
