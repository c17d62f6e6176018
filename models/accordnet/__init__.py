"""Accord's structure-aware neural aligner (CA / CD networks, soft-DTW divergence loss)."""
