"""The pipeline blocks the units are built from: lane products, adder-tree levels, group sum and
shifter, accumulator, decoders, and the encoder's magnitudes, leading one and razor stage."""
