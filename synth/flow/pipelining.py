"""The pipelining policy, the same for every unit: the fewest pipeline registers that meet the
stated clock.

Every unit names its optional pipeline registers (*cuts*, :mod:`hw.pipeline`); the registers
that hold state (accumulators, a group's partial sum, output registers) are always there. The
search starts from no cut at all and, while OpenSTA finds a negative slack, adds one cut: each
open cut is tried (a synthesis and a timing run each); among those that make the unit meet the
clock it takes the one with the fewest flip-flops, and when none does, the one that leaves the
best worst slack (fewer flip-flops on a tie). When no open cut improves the slack, pipelining
cannot help and the unit is reported as missing the clock. Once the clock is met, each chosen
cut is dropped again if the unit still meets it without (latest first), so that no register is
redundant. Trying cuts rather than reading them off the worst path keeps the search right when
ABC restructures logic across a block boundary. Every step is recorded for the report.
"""

from dataclasses import dataclass

from hw.designs import build, elaborated
from hw.pipeline import pipeline_text

from .implementation import implement

__all__ = ["Step", "PipelineChoice", "choose_pipeline"]


@dataclass(frozen=True)
class Step:
    """One synthesis of the search: its registered cuts, worst slack (s), flip-flops, area, and
    what it led to."""

    pipeline: str
    slack: float
    critical_delay: float
    flip_flops: int
    area: float
    decision: str

    def as_record(self):
        return {
            "pipeline": self.pipeline,
            "worst_slack_ns": self.slack * 1e9,
            "critical_path_ns": self.critical_delay * 1e9,
            "flip_flops": self.flip_flops,
            "area": self.area,
            "decision": self.decision,
        }


@dataclass(frozen=True, eq=False)
class PipelineChoice:
    """The implementation the search settled on and the steps that led there."""

    implementation: object
    steps: tuple

    @property
    def met(self):
        return self.implementation.timing.slack >= 0

    @property
    def reason(self):
        """One sentence: which cuts and why."""
        final = self.steps[-1]
        if not self.met:
            return (
                f"misses the clock with {final.pipeline} registered (worst slack "
                f"{final.slack * 1e9:.2f} ns): {final.decision}"
            )
        chosen = self.implementation.unit.parameters["PIPELINE"]
        if chosen == "none":
            return (
                f"no pipeline register needed: the worst path is "
                f"{final.critical_delay * 1e9:.2f} ns (slack {final.slack * 1e9:.2f} ns)"
            )
        return (
            f"{chosen} registered: without them the worst path is "
            f"{self.steps[0].critical_delay * 1e9:.2f} ns; with them "
            f"{final.critical_delay * 1e9:.2f} ns (slack {final.slack * 1e9:.2f} ns)"
        )

    def as_record(self):
        return {
            "chosen": self.implementation.unit.parameters["PIPELINE"],
            "meets_clock": self.met,
            "reason": self.reason,
            "steps": [step.as_record() for step in self.steps],
        }


def _step(implementation, decision):
    timing = implementation.timing
    return Step(
        implementation.unit.parameters["PIPELINE"],
        timing.slack,
        timing.critical_delay,
        implementation.flip_flops,
        implementation.area,
        decision,
    )


def _better(candidate, best):
    """Meeting the clock beats missing it; then fewer flip-flops when both meet, a better
    slack when both miss (fewer flip-flops on a tie)."""
    met, best_met = candidate.timing.slack >= 0, best.timing.slack >= 0
    if met != best_met:
        return met
    if met:
        return candidate.flip_flops < best.flip_flops
    if candidate.timing.slack != best.timing.slack:
        return candidate.timing.slack > best.timing.slack
    return candidate.flip_flops < best.flip_flops


def choose_pipeline(design, parameters, library, conditions, workdir):
    """:class:`PipelineChoice` for ``design`` with SPEC-named ``parameters`` (no PIPELINE)."""
    all_cuts = elaborated(build(design, **{**parameters, "PIPELINE": "all"})).cuts
    registered, steps, trials = [], [], {}

    def run(cuts):
        text = pipeline_text(set(cuts), all_cuts)
        if text not in trials:
            folder = workdir / f"try{len(trials) + 1}"
            trials[text] = implement(
                design, {**parameters, "PIPELINE": text}, library, conditions, folder
            )
        return trials[text]

    current = run(registered)
    while current.timing.slack < 0:
        tried = {cut: run(registered + [cut]) for cut in all_cuts if cut not in registered}
        best = None
        for cut, candidate in tried.items():
            if best is None or _better(candidate, tried[best]):
                best = cut
        if best is None or tried[best].timing.slack <= current.timing.slack:
            steps.append(_step(current, "stop: no open cut improves the worst slack"))
            return PipelineChoice(current, tuple(steps))
        summary = ", ".join(
            f"{cut} {candidate.timing.slack * 1e9:+.2f} ns" for cut, candidate in tried.items()
        )
        steps.append(_step(current, f"tried {summary}; adding {best}"))
        registered.append(best)
        current = tried[best]
    steps.append(_step(current, "meets the clock"))
    for cut in reversed(list(registered)):
        fewer = [c for c in registered if c != cut]
        candidate = run(fewer)
        if candidate.timing.slack >= 0:
            registered = fewer
            current = candidate
            steps.append(_step(candidate, f"{cut} is not needed: still meets the clock"))
        else:
            steps.append(_step(candidate, f"{cut} is needed (slack without it < 0)"))
    if steps[-1].pipeline != current.unit.parameters["PIPELINE"]:
        steps.append(_step(current, "chosen"))
    return PipelineChoice(current, tuple(steps))
