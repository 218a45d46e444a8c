"""System layer, RAP: the AMS-PiM tile (SPEC section 9), its ADC and energy, the integer encoder
on tiles, and a whole inference with what runs between the tiles."""
