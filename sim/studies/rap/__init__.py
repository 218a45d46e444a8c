"""Studies layer: RAP's kernel accuracy study, the tile comparison and sweep, and their reports.
``python -m sim.rap`` runs them."""
