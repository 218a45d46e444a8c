"""``python -m synth.report``: every unit evaluated (:mod:`.evaluate`) on its workload
(:mod:`.stimulus`), the headline and findings, and the report writers (:mod:`.cli` is the
command line)."""
