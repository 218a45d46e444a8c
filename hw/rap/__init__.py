"""RTL of RAP's integer nonlinear units (SPEC section 8), bit-exact with ``sim.rap``.

:class:`~hw.rap.gelu.IntGelu` (``int_gelu``, element-wise), :class:`~hw.rap.softmax.IntSoftmax`
(``int_softmax``, rows streamed three times) and :class:`~hw.rap.layernorm.IntLayernorm`
(``int_layernorm``, rows streamed twice). The row units have no row buffer: the producer repeats
each row once per pass, back to back, and the unit counts the passes. Their blocks: the pass
counter (:mod:`.rows`), the integer operations of ``sim.rap.fixed`` as expressions
(:mod:`.arith`), the lanes' maximum, the base-2 exponents and exponentials, the Newton
reciprocal and inverse square root. :class:`~hw.rap.row_compactor.RowCompactor`
(``row_compactor``, SPEC section 9) splits the AMS-PiM tile's input bit-planes into partial masks
of at most K ones.
"""

from hw.rap.gelu import IntGelu
from hw.rap.layernorm import IntLayernorm
from hw.rap.row_compactor import RowCompactor
from hw.rap.softmax import IntSoftmax

__all__ = ["IntGelu", "IntSoftmax", "IntLayernorm", "RowCompactor"]
