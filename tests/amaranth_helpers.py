"""Test helpers for Amaranth components."""

import gc
import warnings

import pytest
from amaranth.hdl import UnusedElaboratable


def assert_refused(build, message):
    """``build()`` raises ``ValueError`` matching ``message``.

    Amaranth warns (UnusedElaboratable) when a component whose ``__init__`` raised is collected;
    that object is expected here, so it is collected right away with the warning off.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnusedElaboratable)
        with pytest.raises(ValueError, match=message) as info:
            build()
        del info  # its traceback holds the half-built component
        gc.collect()
