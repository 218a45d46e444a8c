"""The progress bar every long run shows (sim.util.progress.LazyProgress)."""

import time

from sim.util import progress as progress_module
from sim.util.progress import LazyProgress


def run_bar(steps, note=None):
    with LazyProgress() as bar:
        update = bar.task("demo work", steps)
        for done in range(1, steps + 1):
            time.sleep(0.05)
            update(done)
            if note and done == 1:
                bar.note(note)


def test_a_terminal_gets_the_bar_after_the_delay_with_notes_above_it(monkeypatch, capsys):
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # rich: stderr is a terminal
    monkeypatch.setattr(progress_module, "SHOW_AFTER_SECONDS", 0.0)
    run_bar(4, note="first step done")
    err = capsys.readouterr().err
    assert "demo work" in err and "4/4" in err
    assert "first step done" in err


def test_a_short_run_draws_nothing(monkeypatch, capsys):
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    run_bar(2)  # 0.1 s, under SHOW_AFTER_SECONDS
    assert capsys.readouterr().err == ""


def test_no_terminal_no_bar_but_the_notes(monkeypatch, capsys):
    monkeypatch.setenv("TTY_COMPATIBLE", "0")
    monkeypatch.setattr(progress_module, "SHOW_AFTER_SECONDS", 0.0)
    run_bar(3, note="a line of log")
    assert capsys.readouterr().err == "a line of log\n"
