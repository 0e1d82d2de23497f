FROM python:3.11-slim
WORKDIR /opt/gfx_assets
COPY pyproject.toml README.md workspace.yaml dagster.yaml ./
COPY migrations ./migrations
COPY gfx_assets ./gfx_assets
RUN pip install --no-cache-dir -e .
