"""The checked-in script templates under ``synth/scripts/`` and how they are filled in.

Placeholders are ``@name`` (``@`` is unused by Yosys scripts, Tcl and the testbench), filled by
:class:`string.Template`; a missing value is an error, never a silent blank.
"""

import string
from pathlib import Path

__all__ = ["SCRIPTS", "render"]

#: Folder of the templates.
SCRIPTS = Path(__file__).parent / "scripts"


class _AtTemplate(string.Template):
    delimiter = "@"


def render(name, **values):
    """Text of template ``name`` (e.g. ``"synth_liberty.ys"``) with every ``@key`` replaced."""
    text = (SCRIPTS / name).read_text(encoding="utf-8")
    return _AtTemplate(text).substitute({key: str(value) for key, value in values.items()})
