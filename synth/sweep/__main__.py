"""``python -m synth.sweep``: see :mod:`synth.sweep.cli`."""

import sys

from .cli import main

sys.exit(main())
