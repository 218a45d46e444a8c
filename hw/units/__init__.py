"""The exportable MAC units and the encoder (SPEC section 5), each built from ``hw.blocks``."""
