"""The implementation flow: Yosys mapping (:mod:`.yosys`), OpenSTA (:mod:`.sta`), one unit
implemented and timed (:mod:`.implementation`) and the pipelining policy (:mod:`.pipelining`)."""
