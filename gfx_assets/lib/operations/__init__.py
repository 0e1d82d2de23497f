"""What operators read in the Dagster UI: PC health, open rejections, dead letters, the WSOP dashboard."""
