# One image for every service of docker-compose.yml: the code server (gfx_assets and its runs), the
# Dagster webserver and daemon, and the one-shot `gfx-assets migrate`.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DAGSTER_HOME=/opt/dagster/home

WORKDIR /opt/gfx_assets
# Editable install: the code finds migrations/ and dagster.yaml beside pyproject.toml (lib/common/paths.py).
COPY pyproject.toml README.md dagster.yaml workspace.yaml ./
COPY migrations ./migrations
COPY gfx_assets ./gfx_assets
RUN pip install --no-cache-dir -e .

# The deployment's instance and workspace; storage/ is where the dagster_storage volume is mounted.
COPY docker/dagster.yaml docker/workspace.yaml /opt/dagster/home/
RUN mkdir -p /opt/dagster/home/storage
