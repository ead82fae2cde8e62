"""Analyze: summaries, kinds and topics, duplicates, stories and ranking."""
