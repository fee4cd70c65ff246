"""Summaries of a hit list: counts, enrichment statistics, plots and the HTML report."""
