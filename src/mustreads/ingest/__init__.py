"""Ingest: feeds and links in, pages fetched safely, articles extracted."""
