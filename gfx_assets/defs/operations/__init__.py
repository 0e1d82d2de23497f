"""Operator views in the catalog (PC health, open rejections, dead letters, the WSOP dashboard),
refreshed by a schedule, and the per-PC open-problems check on gfx_sessions."""
