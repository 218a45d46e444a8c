"""What a Liberty library says: cells, pins, tables, units (:mod:`.liberty`) and the boolean
functions of its cells (:mod:`.cellfunc`)."""
