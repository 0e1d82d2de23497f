"""`python -m gfx_assets.cli` is `gfx-assets`."""

import sys

from gfx_assets.cli import main

sys.exit(main())
