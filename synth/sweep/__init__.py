"""Design-space exploration: a declared grid of MAC units, each point synthesized with the fair
flow and priced with gate-level power (:func:`synth.report.evaluate.evaluate_unit`), run on Dask.

``python -m synth.sweep`` runs it (:mod:`synth.sweep.cli`). Modules: :mod:`.grid` (the declared
grid), :mod:`.points` (one point: its cache key, its evaluation, its flat record),
:mod:`.engine` (the cache and the Dask run), :mod:`.minilm` (optional MiniLM cosine per operand
format), :mod:`.pareto` (non-dominated points) and :mod:`.writers` (CSV, JSON, Markdown, PNG).
"""
