"""Synthesis, timing and power reports on a Liberty library."""
