"""Headless Chromium for the browser tests: Debian's chromium, driven by Playwright.

Playwright's own browser download (``playwright install``) cannot run on our machines,
so the tests launch the distribution's Chromium (``apt-get install chromium``) through
Playwright for Python. ``MUSTREADS_TEST_CHROMIUM`` names another Chromium binary.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser

DEFAULT_CHROMIUM = "/usr/bin/chromium"

# Headless, no sandbox (CI runs as root), and none of Chromium's own connections:
# the machines have no internet, and every refused background request costs time.
# Playwright gives each launch a new empty profile (--user-data-dir) by itself.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium_path() -> str | None:
    wanted = os.environ.get("MUSTREADS_TEST_CHROMIUM", DEFAULT_CHROMIUM)
    return shutil.which(wanted)


def missing_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if importlib.util.find_spec("playwright") is None:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    if chromium_path() is None:
        wanted = os.environ.get("MUSTREADS_TEST_CHROMIUM", DEFAULT_CHROMIUM)
        return f"no Chromium at {wanted} (apt-get install chromium, or MUSTREADS_TEST_CHROMIUM)"
    return None


@contextlib.contextmanager
def launch_chromium() -> Iterator[Browser]:
    """Start headless Chromium; closed (with Playwright's driver) on exit."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise RuntimeError(missing_reason())
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=list(CHROMIUM_FLAGS), headless=True
        )
        try:
            yield browser
        finally:
            browser.close()
