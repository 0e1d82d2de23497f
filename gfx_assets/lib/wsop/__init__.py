"""WSOP+ batch sync, Dagster-free: reading the WSOP+ source PostgreSQL, watermarks and sync_status,
writing through the sink layer (with a COPY fast path for a direct PostgreSQL target), reconciliation,
and a sample source for the demo, the tests and the benchmark."""
