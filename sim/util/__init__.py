"""Leaf layer, utilities: atomic file output, progress bars, external tools, tables and plots.

Imports nothing of the project; every other layer may import it.
"""
