"""Amaranth RTL generator for the QRazor SDR MAC, its baselines and the SDR encoder."""
