"""Power from measured activity: the Liberty-table model (:mod:`.model`) and the clock network
(:mod:`.clock`)."""
