"""``row_compactor``: RAP's bit-sparse split of an input bit-plane into partial masks of at most K
ones (SPEC section 9), bit-exact with :func:`sim.golden.rap.row_split.split_plane`."""

from amaranth import Module, Mux, Signal, Value
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from hw.params import check_compactor_params, defaults_for

__all__ = ["RowCompactor", "PrefixCount", "prefix_counts"]

#: Default parameters of ``row_compactor`` (from the table in :mod:`hw.params`).
_DEFAULTS = defaults_for("row_compactor")


def prefix_counts(m, bits, limit):
    """Inclusive prefix counts of the 1-bit values ``bits``, saturating at ``limit``:
    ``counts[i] = min(bits[0] + ... + bits[i], limit)``, each a signal of module ``m``.

    A Sklansky parallel prefix: ``ceil(log2(len(bits)))`` levels of saturating adders (at level
    ``l`` the upper half of every block of ``2**(l+1)`` adds the count at the top of its lower
    half), so the depth grows with the log of the row count. Counts of a block of ``2**(l+1)``
    bits never exceed ``2**(l+1)``: the levels below ``limit`` need neither the saturation nor
    more bits than that. Every sum is a named signal (``count<level>_<row>``), so that each
    feeds its users as one net.
    """
    counts = [Value.cast(bit) for bit in bits]
    span = 1
    while span < len(counts):
        bound = min(2 * span, limit)
        width = bound.bit_length()
        for i in range(len(counts)):
            if i & span:  # add the top of the lower half (unchanged at this level)
                total = counts[i] + counts[(i | (span - 1)) - span]
                if 2 * span > limit:
                    total = Mux(total > limit, limit, total)
                counts[i] = Signal(width, name=f"count{span.bit_length()}_{i}")
                m.d.comb += counts[i].eq(total[:width])
        span *= 2
    return counts


class PrefixCount(wiring.Component):
    """:func:`prefix_counts` of ``bits`` (combinational), saturating at ``limit``.

    Parameters
    ----------
    rows : int
    limit : int

    Attributes
    ----------
    bits : In(rows)
    fits : Out(rows)
        Bit ``i``: ``min(bits[0] + ... + bits[i], limit) < limit``.
    total : Out(range(limit + 1))
        ``min(popcount(bits), limit)``.
    """

    def __init__(self, rows, limit):
        self._rows, self._limit = rows, limit
        super().__init__({"bits": In(rows), "fits": Out(rows), "total": Out(range(limit + 1))})

    def elaborate(self, platform):
        m = Module()
        counts = prefix_counts(m, list(self.bits), self._limit)
        fits = Signal(self._rows)
        m.d.comb += [fits[i].eq(count < self._limit) for i, count in enumerate(counts)]
        m.d.comb += [self.fits.eq(fits), self.total.eq(counts[-1])]
        return m


class RowCompactor(wiring.Component):
    """Splits each accepted bit-plane, in row order, into ``ceil(c / K)`` partial masks of at most
    K ones (``c`` the plane's popcount): mask ``j`` holds the ones of rank ``j*K .. j*K + K-1``,
    the lowest-index ones still pending, as :func:`sim.golden.rap.row_split.split_plane`.

    Handshake: a plane is accepted on a cycle with ``in_valid & ready`` (the only unit with
    backpressure). ``ready`` comes from a register alone (no path from the inputs): it is low
    while the masks of a plane are still to come after the current cycle's, so the producer
    holds its plane (and ``in_valid``) until ``ready``. ``in_valid`` while ``ready`` is low
    changes nothing.

    Timing (``LATENCY`` = 1): the first mask of a plane accepted during cycle ``n`` is on
    ``mask`` with ``out_valid`` during cycle ``n + 1``, mask ``j`` during ``n + 1 + j``, and the
    last one (``j = ceil(c/K) - 1``) carries ``out_last``. ``ready`` is high again during the
    cycle that shows the last mask, so the next plane is accepted then and its first mask
    follows on the next cycle: planes back to back leave no gap on the output. Throughput:
    ``max(1, ceil(c / K))`` cycles per plane, one for ``c <= K``.

    An all-zero plane (``c = 0``) gives no partial, as the golden split: it is accepted in one
    cycle (``ready`` stays high) and emits nothing at all, no ``out_valid`` and no
    ``out_last``. A consumer that counts planes counts accepted ones (``in_valid & ready``), not
    ``out_last`` pulses; a bit-serial accumulator loses nothing, since the skipped plane would
    add zero.

    Datapath: ``pending`` holds the ones of the current plane not yet emitted; ``src`` is
    ``pending``, or the input plane when nothing is pending and it is accepted. A saturating
    parallel-prefix count (:class:`PrefixCount`, ``log2(ROWS)`` adder levels) marks the ones of
    ``src`` whose inclusive count is at most K: they load ``mask``; the others load ``pending``,
    and a count above K keeps ``ready`` low. ``mask`` is 0 on every cycle without
    ``out_valid``. A reset empties ``pending`` and drops the plane being split.

    Parameters
    ----------
    rows : int
        ROWS: word-lines per plane, 1 to :data:`hw.params.MAX_ROWS`.
    k : int
        K: most ones per mask (``max_active_rows``), 1 to ``rows``.

    Attributes
    ----------
    plane : In(ArrayLayout(1, rows))
        The input bit-plane, row ``i`` at bit ``i``.
    in_valid : In(1)
    ready : Out(1)
        The unit accepts ``plane`` this cycle if ``in_valid``.
    mask : Out(ArrayLayout(1, rows))
        The partial mask, at most K ones (0 without ``out_valid``).
    out_valid : Out(1)
    out_last : Out(1)
        ``mask`` is the plane's last partial.
    """

    MODULE_NAME = "row_compactor"
    PARAMETERS = ("ROWS", "K")
    #: The handshake, for ``<module>.json`` (:func:`hw.export.describe`): this unit alone has
    #: backpressure and a data-dependent number of results per input.
    HANDSHAKE = {
        "accept": "a plane is accepted on a cycle with in_valid and ready; ready comes from a "
        "register (no path from the inputs); hold the plane and in_valid until ready",
        "results": "a plane with c ones gives the ceiling of c over K masks on consecutive "
        "cycles, the first LATENCY cycles after its acceptance, in row order (mask j: the ones "
        "of rank j*K .. j*K+K-1), out_last on the last; mask is 0 without out_valid",
        "ready": "low while masks of the plane remain after the current cycle's; high again on "
        "the cycle of its last mask, so planes back to back leave no gap on the output",
        "throughput": "one cycle per plane, or the ceiling of c over K if more",
        "all_zero_plane": "accepted in one cycle, no mask and no out_last (the golden split gives "
        "no partial): count planes at the input (in_valid and ready), not by out_last",
    }

    def __init__(self, rows=_DEFAULTS["ROWS"], k=_DEFAULTS["K"]):
        self.check_parameters(rows, k)
        self.parameters = {"ROWS": rows, "K": k}
        self._rows, self._k = rows, k
        self.prefix = PrefixCount(rows, k + 1)
        super().__init__(
            {
                "plane": In(data.ArrayLayout(1, rows)),
                "in_valid": In(1),
                "ready": Out(1),
                "mask": Out(data.ArrayLayout(1, rows)),
                "out_valid": Out(1),
                "out_last": Out(1),
            }
        )

    @staticmethod
    def check_parameters(rows, k):
        """Raise ``ValueError`` naming the first parameter that makes no valid unit."""
        check_compactor_params(rows, k)

    @property
    def LATENCY(self):
        """1: the output registers load the first mask on the acceptance edge."""
        return 1

    def elaborate(self, platform):
        m = Module()
        m.submodules.prefix_tree = prefix = self.prefix
        pending = Signal(self._rows)
        busy = Signal()  # pending != 0: more than K ones were left when it was loaded
        accept = self.in_valid & ~busy
        src = Signal(self._rows)
        m.d.comb += [
            src.eq(pending | (Value.cast(self.plane) & accept.replicate(self._rows))),
            prefix.bits.eq(src),
            self.ready.eq(~busy),
        ]
        chosen = src & prefix.fits
        some = src.any()
        m.d.sync += [
            Value.cast(self.mask).eq(chosen),
            self.out_valid.eq(some),
            self.out_last.eq(some & (prefix.total <= self._k)),
            pending.eq(src & ~prefix.fits),
            busy.eq(prefix.total > self._k),
        ]
        return m
