"""System layer: the field's cost model, ZigZag (``zigzag-dse``, with its CACTI 7), applied to this
project's engines: an accelerator description generated from an engine's parameters and its
gate-level report (:mod:`.accelerator`), buffer costs from CACTI (:mod:`.cacti`), GEMMs as ZigZag
layers in their stored precisions (:mod:`.layers`), and one cached mapping search per layer
shape (:mod:`.evaluate`). Needs the ``system`` extra."""
