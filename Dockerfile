# The one image of Plant Store: `plant-store serve`, `plant-store http` or `plant-store migrate`.
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY requirements/runtime.lock ./requirements/
RUN pip install --no-cache-dir --require-hashes --requirement requirements/runtime.lock
COPY pyproject.toml README.md ./
COPY protos ./protos
COPY store_service ./store_service
COPY http_adapter ./http_adapter
COPY plant_store_client ./plant_store_client
COPY plant_store_cli ./plant_store_cli
COPY migrations ./migrations
RUN pip install --no-cache-dir --no-deps --no-build-isolation . && pip check
USER nobody
# Whichever role the container runs: the store SERVING, or the adapter ready (/readyz).
HEALTHCHECK --interval=10s --timeout=8s --start-period=30s --retries=3 \
  CMD ["plant-store", "health", "--self"]
ENTRYPOINT ["plant-store"]
