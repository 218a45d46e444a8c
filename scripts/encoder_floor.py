"""Where `sdr_encoder`'s area goes, and the floor of its window-mux architecture.

Synthesizes, with the report's flow (timing-driven ABC at 100 MHz, one library), the 16-lane
`sdr_mac` and three `sdr_encoder` variants at G=16, B=16, M=3:

- ``full``: the unit as built;
- ``no-sign``: magnitudes replaced by the raw low B-1 bits (no negation, no clamp);
- ``window-only``: that, and no rounding or zero-sign rule: only the group OR / leading one, the
  per-element (M+1)-bit window mux and the output registers.

The two stripped variants compute wrong codes: they exist only to price the parts of the
datapath that any bit-exact encoder of this interface (G values per beat) keeps. Usage::

    python scripts/encoder_floor.py [--liberty PATH] [-o DIR]
"""

import argparse
import contextlib
import sys
import tempfile
from pathlib import Path
from unittest import mock

from amaranth import Cat, Module

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hw.blocks.encoder_magnitudes import EncoderMagnitudes  # noqa: E402
from hw.blocks.razor import Razor  # noqa: E402
from synth.flow.implementation import block_areas, implement  # noqa: E402
from synth.library.liberty import default_liberty, load_liberty  # noqa: E402
from synth.report.evaluate import DEFAULT_CONDITIONS  # noqa: E402


def _raw_magnitudes(self, platform):
    m = Module()
    for i in range(self._config.group):
        x = self.x[i]
        m.d.comb += [self.mags[i].eq(x[:-1]), self.negative[i].eq(x[-1])]
    return m


def _window_only(self, platform):
    m = Module()
    for i in range(self._config.group):
        m.d.sync += self.code[i].eq(Cat(self._window(self.mags[i])[1:], self.negative[i]))
    m.d.sync += self.flag.eq(self.flag_in)
    return m


VARIANTS = {
    "full": (),
    "no-sign": ((EncoderMagnitudes, _raw_magnitudes),),
    "window-only": ((EncoderMagnitudes, _raw_magnitudes), (Razor, _window_only)),
}


def measure(design, parameters, library, workdir, patches=()):
    """``(area, slack s, {block: logic+register area})`` of one implementation."""
    with contextlib.ExitStack() as stack:
        for cls, elaborate in patches:
            stack.enter_context(mock.patch.object(cls, "elaborate", elaborate))
        imp = implement(design, parameters, library, DEFAULT_CONDITIONS, workdir)
    blocks = {name: sum(parts.values()) for name, parts in block_areas(imp).items()}
    return imp.area, imp.timing.slack, blocks


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--liberty", help="Liberty file (default: the OSU 0.18 um one)")
    parser.add_argument("-o", "--output", help="work folder (default: a temporary one)")
    args = parser.parse_args()
    path = args.liberty or default_liberty()
    if path is None or not Path(path).is_file():
        parser.exit(2, f"error: --liberty: no Liberty file at {path}\n")
    library = load_liberty(path)
    with contextlib.ExitStack() as stack:
        work = Path(args.output or stack.enter_context(tempfile.TemporaryDirectory()))
        mac_area, _, _ = measure(
            "sdr_mac", {"LANES": 16, "PIPELINE": "none"}, library, work / "sdr_mac"
        )
        print(f"library {Path(path).name}, 100 MHz; sdr_mac_L16 area {mac_area:,.0f}")
        print("| sdr_encoder_G16 variant | area | x sdr_mac_L16 | slack ns | blocks |")
        print("|---|---|---|---|---|")
        for name, patches in VARIANTS.items():
            area, slack, blocks = measure(
                "sdr_encoder", {"PIPELINE": "none"}, library, work / name, patches
            )
            parts = ", ".join(f"{block} {value:,.0f}" for block, value in blocks.items())
            ratio = area / mac_area
            print(f"| {name} | {area:,.0f} | {ratio:.3f} | {slack * 1e9:+.2f} | {parts} |")


if __name__ == "__main__":
    main()
