"""`python -m plant_store_cli` is the `plant-store` command (how `plant-store run` starts its
two processes)."""

from __future__ import annotations

import sys

from plant_store_cli.command import main

sys.exit(main())
