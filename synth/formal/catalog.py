"""Every proof of ``python -m synth.formal``, by name, and how to run one.

Names read ``<kind>.<unit and parameters>[.<pipeline>][.<library>]``:
``lec.sdr_mac.L4.none.osu018``, ``datapath.L1.G4``, ``datapath.each_flag.L1.G4``,
``protocol.bubbles.int8_mac.L1.all``, ``encoder.G16.B16.nearest.none``, ``compactor.R8.K3``.
A :class:`Proof`
holds only names and numbers, so that it can be sent to a worker process.
"""

import fnmatch
import time
from dataclasses import dataclass, field
from pathlib import Path

from hw.params import DEFAULTS
from hw.yosys import YosysError

from .compactor import prove_compactor
from .datapath import prove_datapath, prove_datapath_each_flag
from .encoder import prove_encoder
from .lec import prove_lec
from .protocol import PROPERTIES, prove_protocol
from .result import Outcome, ProofResult
from .units import export_rtl, synthesize_rtl

__all__ = [
    "MACS",
    "Proof",
    "library_tag",
    "lec_proofs",
    "datapath_proofs",
    "protocol_proofs",
    "encoder_proofs",
    "compactor_proofs",
    "all_proofs",
    "select",
    "run_proof",
]

#: The MACs whose netlists are proven equal to their RTL, and at which LANES.
MACS = ("sdr_mac", "int8_mac", "int4_mac", "decompress_mac")
LEC_LANES = (1, 4)
#: SDR parameters small enough for the SAT solver to compare two units cycle by cycle
#: (:mod:`.datapath`, the ``bubbles`` and ``restart`` checks): see :data:`NARROW`.
NARROW = {"MAG_BITS": 1, "A_BITS": 8, "W_BITS": 8, "ACC_BITS": 16}


@dataclass(frozen=True)
class Proof:
    """One proof: ``kind`` (lec, datapath, protocol, encoder, compactor), the ``design`` and
    SPEC-named ``parameters`` it exports, and what else its kind needs (``liberty``, ``prop``,
    ...)."""

    name: str
    kind: str
    design: str
    parameters: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)


def library_tag(path):
    """``osu018`` for ``osu018_stdcells.lib``, ``sg13g2`` for the IHP typical corner."""
    return Path(path).stem.split("_")[0]


def _tag(design, parameters):
    if design == "sdr_encoder":
        return f"G{parameters['GROUP']}"
    return f"L{parameters['LANES']}"


def lec_proofs(libraries, pipelines):
    """Each MAC at each of :data:`LEC_LANES` and the encoder (G=16, B=16), per pipeline and
    library."""
    units = [(d, {"LANES": lanes}) for d in MACS for lanes in LEC_LANES]
    units.append(("sdr_encoder", {"GROUP": 16}))
    return [
        Proof(
            f"lec.{design}.{_tag(design, params)}.{pipeline}.{library_tag(liberty)}",
            "lec",
            design,
            {**params, "PIPELINE": pipeline},
            {"liberty": str(liberty)},
        )
        for liberty in libraries
        for pipeline in pipelines
        for design, params in units
    ]


def datapath_proofs():
    """``sdr_mac`` against ``decompress_mac`` at LANES 1 and 4, GROUP 4: at :data:`NARROW`
    widths with the flags free (``datapath.*``), and at the default widths (MAG_BITS 3, A16/W8,
    32-bit accumulator) for each pair of flag values (``datapath.each_flag.*``)."""
    return [
        Proof(
            f"datapath.{'each_flag.' if each_flag else ''}L{lanes}.G4",
            "datapath",
            "sdr_mac",
            {"LANES": lanes, "GROUP": 4},
            {"each_flag": each_flag},
        )
        for each_flag in (False, True)
        for lanes in (1, 4)
    ]


#: The units of each protocol property: ``latency`` at full width (k-induction closes in a
#: few steps); the two-copy checks at sizes a bounded check finishes (:func:`_protocol_parameters`).
PROTOCOL_UNITS = {
    "latency": (("sdr_mac", {"LANES": 4, "GROUP": 16}), ("int8_mac", {"LANES": 4})),
    "bubbles": (("sdr_mac", {"LANES": 1, "GROUP": 4}), ("int8_mac", {"LANES": 1})),
}
PROTOCOL_UNITS["restart"] = PROTOCOL_UNITS["bubbles"]


def protocol_proofs(pipelines):
    """The three protocol properties of ``sdr_mac`` and ``int8_mac`` (:data:`PROTOCOL_UNITS`),
    per pipeline."""
    return [
        Proof(
            f"protocol.{prop}.{design}.{_tag(design, params)}.{pipeline}",
            "protocol",
            design,
            {**params, "PIPELINE": pipeline},
            {"prop": prop},
        )
        for prop in PROPERTIES
        for design, params in PROTOCOL_UNITS[prop]
        for pipeline in pipelines
    ]


def encoder_proofs(pipelines):
    """``sdr_encoder`` against the reference: G 4 and 16, B 8 and 16, nearest rounding, and
    truncation at G=4."""
    settings = [(g, b, "nearest") for g in (4, 16) for b in (8, 16)]
    settings += [(4, b, "truncate") for b in (8, 16)]
    return [
        Proof(
            f"encoder.G{g}.B{b}.{rounding}.{pipeline}",
            "encoder",
            "sdr_encoder",
            {"GROUP": g, "BASE_BITS": b, "ROUNDING": rounding, "PIPELINE": pipeline},
        )
        for g, b, rounding in settings
        for pipeline in pipelines
    ]


#: ``(ROWS, K)`` of the ``row_compactor`` proofs: planes small enough for every-cycle proofs in
#: seconds, with K 1 (a mask per one), 3 (the 2-bit ADC's range) and 7 (the default's, 3 bits).
COMPACTOR_SIZES = ((8, 1), (8, 3), (16, 3), (16, 7))


def compactor_proofs():
    """``row_compactor`` against its handshake and the golden split (:mod:`.compactor`) at each
    of :data:`COMPACTOR_SIZES`."""
    return [
        Proof(f"compactor.R{rows}.K{k}", "compactor", "row_compactor", {"ROWS": rows, "K": k})
        for rows, k in COMPACTOR_SIZES
    ]


def all_proofs(libraries, pipelines=("none", "all")):
    """The full set, in report order."""
    return [
        *lec_proofs(libraries, pipelines),
        *datapath_proofs(),
        *protocol_proofs(pipelines),
        *encoder_proofs(pipelines),
        *compactor_proofs(),
    ]


def select(proofs, patterns):
    """The proofs whose names match any of ``patterns`` (exact names or ``fnmatch`` patterns);
    raises ``ValueError`` naming a pattern that matches none."""
    for pattern in patterns:
        if not any(fnmatch.fnmatchcase(p.name, pattern) for p in proofs):
            raise ValueError(f"--proofs {pattern!r} matches no proof (--list shows them)")
    return [p for p in proofs if any(fnmatch.fnmatchcase(p.name, pat) for pat in patterns)]


def _protocol_parameters(proof):
    """Narrow data for the two-copy checks of ``sdr_mac``; ``int8_mac``'s lanes are 8 bits."""
    if proof.options["prop"] == "latency":
        return proof.parameters
    if proof.design == "sdr_mac":
        return {**proof.parameters, **NARROW}
    return {**proof.parameters, "ACC_BITS": 16}


def _beats(parameters):
    """Beats per group of a MAC (1 for the integer MACs and the encoder)."""
    if "GROUP" in parameters and "LANES" in parameters:
        return parameters["GROUP"] // parameters["LANES"]
    return 1


def _depth(rtl, beats):
    """Reset, a dot product of two groups, its result, and a few beats of the next one."""
    return rtl.latency + 2 * beats + 3


def _datapath_depth(rtl, beats):
    """Reset, a dot product of one group, its result and one more beat."""
    return rtl.latency + beats + 2


def _stating(outcome, parameters):
    """``outcome`` with the parameters it was proven at in front of its detail."""
    given = " ".join(f"{name}={value}" for name, value in parameters.items())
    return Outcome(outcome.status, f"({given}) {outcome.detail}", outcome.counterexample)


def _run(proof, workdir, time_limit):
    if proof.kind == "lec":
        rtl = export_rtl(proof.design, proof.parameters, workdir / "rtl")
        netlist = synthesize_rtl(rtl, proof.options["liberty"], workdir / "synth")
        beats = _beats(rtl.parameters)
        return prove_lec(
            rtl,
            netlist,
            proof.options["liberty"],
            workdir / "lec",
            time_limit,
            _depth(rtl, beats),
        )
    if proof.kind == "datapath":
        each_flag = proof.options["each_flag"]
        widths = {name: DEFAULTS[name] for name in NARROW} if each_flag else NARROW
        parameters = {**proof.parameters, **widths, "PIPELINE": "none"}
        sdr = export_rtl("sdr_mac", parameters, workdir / "sdr_mac")
        dec = export_rtl("decompress_mac", parameters, workdir / "decompress_mac")
        beats = parameters["GROUP"] // parameters["LANES"]
        depth = _datapath_depth(sdr, beats)
        prove = prove_datapath_each_flag if each_flag else prove_datapath
        outcome = prove(sdr, dec, workdir / "proof", time_limit, depth)
        return _stating(outcome, parameters)
    if proof.kind == "protocol":
        rtl = export_rtl(proof.design, _protocol_parameters(proof), workdir / "rtl")
        beats = _beats(rtl.parameters)
        prop = proof.options["prop"]
        outcome = prove_protocol(rtl, prop, workdir / "proof", time_limit, _depth(rtl, beats))
        return _stating(outcome, _protocol_parameters(proof))
    if proof.kind == "encoder":
        rtl = export_rtl(proof.design, proof.parameters, workdir / "rtl")
        return prove_encoder(rtl, workdir / "proof", time_limit)
    if proof.kind == "compactor":
        rtl = export_rtl(proof.design, proof.parameters, workdir / "rtl")
        return _stating(prove_compactor(rtl, workdir / "proof", time_limit), proof.parameters)
    raise ValueError(f"unknown proof kind {proof.kind!r}")


def run_proof(proof, workdir, time_limit):
    """Run ``proof`` in ``workdir`` within about ``time_limit`` seconds of proving; returns its
    :class:`ProofResult`."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    try:
        outcome = _run(proof, workdir, time_limit)
    except YosysError as error:  # the export or the synthesis failed: nothing was proven
        outcome = Outcome("unknown", f"no proof ran: {error}")
    return ProofResult(proof.name, outcome, time.perf_counter() - start)
