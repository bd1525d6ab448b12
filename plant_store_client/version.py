"""The running code's version: the installed distribution's, so one number is true everywhere."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from prometheus_client import CollectorRegistry, Info

DISTRIBUTION = "plant-store"


def package_version() -> str:
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


VERSION = package_version()


def register_build_info(registry: CollectorRegistry) -> None:
    """Exports `plant_build_info{version=…} 1`, so a dashboard can tell which code answers."""
    Info("plant_build", "The running code's version", registry=registry).info({"version": VERSION})
