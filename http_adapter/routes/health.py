"""Liveness and readiness for HTTP load balancers and orchestrators, outside the /api/v1 contract.

`/healthz` answers while the process serves and asks nothing else, so a busy store or database
never gets the adapter restarted. `/readyz` answers 200 only while the store reports SERVING on
its gRPC health service (which follows the database), so traffic is sent only where it can be
answered.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from http_adapter.responses import JsonResponse
from plant_store_client.probe import health_status

# Below the one-second default timeout of common HTTP probes, far above a local Check's cost.
READY_DEADLINE_SECONDS = 0.8

router = APIRouter(default_response_class=JsonResponse)


@router.get("/healthz", include_in_schema=False)
async def healthz() -> Response:
    return JsonResponse({"status": "ok"})


@router.get("/readyz", include_in_schema=False)
async def readyz(request: Request) -> Response:
    store = await health_status(request.app.state.store.channel, "", READY_DEADLINE_SECONDS)
    if store == "SERVING":
        return JsonResponse({"status": "ready", "store": store})
    return JsonResponse({"status": "unready", "store": store}, status_code=503)
