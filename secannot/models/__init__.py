"""Sequence models and the data that describe them (see docs/model_card.md)."""
