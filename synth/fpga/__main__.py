"""``python -m synth.fpga``."""

import sys

from .cli import main

sys.exit(main())
