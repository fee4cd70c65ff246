"""Tumour-microenvironment knowledge: rule loading, lint, show, diff and annotation of results."""
