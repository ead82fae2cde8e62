"""publish: the static site and its feeds (``site.py``, ``feeds.py``), and publishing."""

from mustreads.publish.site import Published, SiteReport, build_site, publish

__all__ = ["Published", "SiteReport", "build_site", "publish"]
