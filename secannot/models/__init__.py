"""Sequence models: signal peptide, membrane topology, leaderless score and the localisation verdict.

These modules take sequences (and each other's results) and return numbers; they
read only their own weight files, never user input or the network.
The shipped models are described in docs/model_card.md.
"""
