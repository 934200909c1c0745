# One image per Jumo service, built from the repository root:
#   docker build -f deploy/docker/service.Dockerfile --build-arg SERVICE=identity -t jumo-identity .
# It installs the service's package (jumo-<SERVICE>) and the workspace libraries it depends on,
# exactly as uv.lock pins them, without dev tools, and runs `python -m jumo_<SERVICE>`.
ARG PYTHON=python:3.11-slim

FROM ${PYTHON} AS build
ARG SERVICE
RUN test -n "$SERVICE" || (echo "--build-arg SERVICE=<name> is required" >&2; exit 1)
RUN pip install --no-cache-dir uv
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src
COPY pyproject.toml uv.lock ./
COPY libs libs
COPY services services
# --no-editable: the packages are copied into the environment, so the final image needs no source.
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --package "jumo-${SERVICE}"

FROM ${PYTHON}
ARG SERVICE
ENV SERVICE_MODULE=jumo_${SERVICE} PATH=/app/.venv/bin:$PATH PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 PORT=8000
RUN useradd --system --uid 10001 --no-create-home jumo
COPY --from=build /app/.venv /app/.venv
USER jumo
EXPOSE 8000
# Healthy once the service answers /healthz (compose starts the gateway only then); a program
# without one (the Facebook sandbox) sets its own healthcheck in docker-compose.yml.
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=2)"]
CMD ["sh", "-c", "exec python -m \"$SERVICE_MODULE\""]
