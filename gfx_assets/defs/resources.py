"""Resources and executor of the code location, bound from the one settings object."""

import dagster as dg

from gfx_assets import resources
from gfx_assets.settings import get_settings


@dg.definitions
def gfx_resources() -> dg.Definitions:
    # Runs are small (one PC or one WSOP table at a time): in-process steps start fastest.
    return dg.Definitions(resources=resources.build(get_settings()), executor=dg.in_process_executor)
