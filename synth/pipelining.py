"""The pipelining policy, the same for every unit: the fewest pipeline registers that meet the
stated clock.

Every unit names its optional pipeline registers (*cuts*, :mod:`hw.pipeline`); the registers
that hold state (accumulators, a group's partial sum, output registers) are always there. The
search starts from no cut at all and, while OpenSTA finds a negative slack, adds one cut: on the
worst path, where it leaves a block that a cut can register, the latest such crossing whose
arrival still fits before the path's required time (so that the part before the new register
meets the clock and as much as possible of the path moves behind it); when none fits, the
earliest crossing. When the worst path crosses no open cut, no pipelining can help: the unit is
reported as missing the clock. Once the clock is met, each chosen cut is dropped again if the
unit still meets it without (latest first), so that no register is redundant. Every step is
recorded with the reason, for the report.
"""

from dataclasses import dataclass

from hw.designs import build, elaborated
from hw.pipeline import parse_pipeline, pipeline_text

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


def _crossings(implementation):
    """``[(cut, arrival)]`` where the worst path leaves a block an open cut would register."""
    block_cut = {}
    for cut, blocks in implementation.unit.cut_blocks().items():
        for block in (blocks,) if isinstance(blocks, str) else blocks:
            block_cut[block] = cut
    unit = implementation.unit
    registered = parse_pipeline(unit.parameters["PIPELINE"], unit.cuts, implementation.design)
    points = implementation.path_blocks()
    found = []
    for (_, arrival, block), (_, _, following) in zip(points, points[1:], strict=False):
        cut = block_cut.get(block)
        if cut and following != block and cut not in registered:
            found.append((cut, arrival))
    return found


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


def _next_cut(implementation):
    """``(cut, why)`` to add against the worst path, or ``(None, why)``."""
    crossings = _crossings(implementation)
    timing = implementation.timing
    required = timing.arrival + timing.slack
    if not crossings:
        return None, "the worst path crosses no open cut"
    fitting = [(cut, arrival) for cut, arrival in crossings if arrival <= required]
    cut, arrival = fitting[-1] if fitting else crossings[0]
    return cut, (
        f"worst path {timing.critical_delay * 1e9:.2f} ns; register after its block at "
        f"{arrival * 1e9:.2f} ns ({cut})"
    )


def choose_pipeline(design, parameters, library, conditions, workdir):
    """:class:`PipelineChoice` for ``design`` with SPEC-named ``parameters`` (no PIPELINE)."""
    all_cuts = elaborated(build(design, **{**parameters, "PIPELINE": "all"})).cuts
    registered, steps, trials = [], [], []

    def run(cuts):
        trials.append(cuts)
        text = pipeline_text(set(cuts), all_cuts)
        folder = workdir / f"try{len(trials)}"
        return implement(design, {**parameters, "PIPELINE": text}, library, conditions, folder)

    current = run(registered)
    while current.timing.slack < 0:
        cut, why = _next_cut(current)
        steps.append(_step(current, why if cut else f"stop: {why}"))
        if cut is None:
            return PipelineChoice(current, tuple(steps))
        registered.append(cut)
        current = run(registered)
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
