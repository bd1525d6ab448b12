"""Free-form JSON objects in request bodies (config, settings)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator

from plant_store_client.wire.documents import require_shallow

# The store keeps documents up to MAX_DEPTH levels; deeper ones are refused here, as a 422
# that names the limit (InvalidDocument is a ValueError, which pydantic reports).
JsonObject = Annotated[dict[str, Any], AfterValidator(require_shallow)]
