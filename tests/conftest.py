"""Shared pytest set-up: hypothesis profiles, and under ``CI=true`` a refusal to run without the
system tools the power path needs (so that no test needing them is skipped in CI)."""

import os

import pytest
from hypothesis import HealthCheck, settings

from sim.util.tools import INSTALL_HINTS, find_tool
from synth.library.liberty import default_liberty

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("long", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_sessionstart(session):
    if os.environ.get("CI") != "true":
        return
    missing = [
        f"{tool} ({INSTALL_HINTS.get(tool, 'apt-get install ' + tool)})"
        for tool in ("iverilog", "vvp", "sta")
        if find_tool(tool) is None
    ]
    if default_liberty() is None:
        missing.append("the OSU 0.18 um Liberty (apt-get install qflow-tech-osu018)")
    if missing:
        pytest.exit(f"CI=true but missing: {', '.join(missing)}", returncode=1)


class ProgressLog:
    """What a run's progress bars showed: ``tasks[description] == [total, last count]``."""

    def __init__(self):
        self.tasks = {}

    def finished(self):
        """Every bar reached its total (and there was at least one)."""
        return bool(self.tasks) and all(done == total for total, done in self.tasks.values())


@pytest.fixture
def progress_log(monkeypatch):
    """Record every ``LazyProgress`` task of the code under test (the bars still run)."""
    from sim.util.progress import LazyProgress

    log, task = ProgressLog(), LazyProgress.task

    def recorded_task(self, description, total):
        update = task(self, description, total)
        entry = log.tasks[description] = [total, 0]

        def recorded(done):
            entry[1] = done
            update(done)

        return recorded

    monkeypatch.setattr(LazyProgress, "task", recorded_task)
    return log
