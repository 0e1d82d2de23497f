"""GFX ingestion: PC partitions, the NAS sensor, the gfx_sessions asset and its checks."""
