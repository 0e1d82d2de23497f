"""One partition per GFX PC, kept in step with the NAS PC registry by `gfx_nas_sensor`."""

import dagster as dg

GFX_PC_PARTITIONS_NAME = "gfx_pc"

gfx_pc_partitions = dg.DynamicPartitionsDefinition(name=GFX_PC_PARTITIONS_NAME)
