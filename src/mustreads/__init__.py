"""mustreads: run a curated reading-list newsletter."""

__version__ = "0.1.0"
