"""Compose: the weekly issue drafted from the analysis, edited as Markdown, rendered."""
