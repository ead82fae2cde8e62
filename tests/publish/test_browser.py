"""The latest issue page in headless Chromium, at phone and desktop width.

Full-page screenshots go to each test's ``tmp_path`` (look at them after a layout
change); the assertions cover what breaks a newsletter page on a phone: sideways
scrolling, small text, small tap targets, and paid items leaking past the paywall.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from mustreads.models import Tier
from tests.publish.browser import launch_chromium, missing_reason
from tests.publish.conftest import EXPECTED_PAGES, BuiltSite

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Locator, Page, Request, Route

if (_missing := missing_reason()) is not None:
    pytest.skip(_missing, allow_module_level=True)

VIEWPORTS: dict[str, dict[str, Any]] = {
    "phone": {
        "viewport": {"width": 375, "height": 812},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}
MIN_BODY_FONT_PX = 16.0
MIN_TAP_HEIGHT_PX = 24.0  # WCAG 2.2 target size (minimum), 2.5.8
SECTION_HEADINGS = ("Events you should know", "Resources you should read")

# Elements that stick out past the right edge of the window, for the failure message.
# An element's own box may fit while its text (a long word) runs out of it.
_OVERFLOWING_JS = """width => {
  const right = e => {
    const box = e.getBoundingClientRect();
    return Math.max(box.right, box.left + e.scrollWidth);
  };
  return [...document.querySelectorAll('body *')]
    .filter(e => right(e) > width + 0.5)
    .slice(-8)
    .map(e => `<${e.tagName.toLowerCase()} class="${e.className}"> reaches `
      + `${Math.round(right(e))}px: ` + (e.textContent || '').trim().slice(0, 60));
}"""


@dataclass
class Visit:
    page: Page
    problems: list[str] = field(default_factory=list)  # what went wrong while loading


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launch_chromium() as launched:
        yield launched


def _visit(context: BrowserContext, url: str, site: BuiltSite) -> Visit:
    """Load ``url`` and record failed loads, HTTP errors, script errors and any request
    that leaves the site (aborted: the pages must work offline and track no one)."""
    visit = Visit(context.new_page())
    page, problems = visit.page, visit.problems

    def only_the_site(route: Route, request: Request) -> None:
        if request.url.startswith((site.base_url, "data:")):
            route.continue_()
        else:
            problems.append(f"request outside the site: {request.url}")
            route.abort()

    page.route("**/*", only_the_site)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            problems.append(f"HTTP {response.status}: {response.url}")
            if response.status >= 400
            else None
        ),
    )
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, f"{url}: {response and response.status}"
    return visit


@pytest.fixture(scope="module")
def issue_visits(browser: Browser, built_site: BuiltSite) -> Iterator[dict[str, Visit]]:
    """The latest issue page, loaded once per viewport."""
    contexts = {name: browser.new_context(**VIEWPORTS[name]) for name in VIEWPORTS}
    url = built_site.issue_url(built_site.latest)
    yield {name: _visit(context, url, built_site) for name, context in contexts.items()}
    for context in contexts.values():
        context.close()


def _horizontal_overflow(page: Page, width: int) -> str | None:
    inner, scroll = page.evaluate(
        "() => [window.innerWidth, document.scrollingElement.scrollWidth]"
    )
    if inner == width and scroll <= inner:
        return None
    # A phone widens the window to fit wide content, or to 980 px without a viewport meta.
    culprits = "".join(f"\n  {line}" for line in page.evaluate(_OVERFLOWING_JS, width))
    return f"page is {scroll}px wide, window {inner}px, screen {width}px{culprits}"


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_full_page_screenshot(
    issue_visits: dict[str, Visit], viewport: str, tmp_path: Path
) -> None:
    shot = tmp_path / f"issue-{viewport}.png"
    issue_visits[viewport].page.screenshot(path=shot, full_page=True)
    assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_issue_page_loads_cleanly_from_the_site_alone(
    issue_visits: dict[str, Visit], viewport: str
) -> None:
    problems = issue_visits[viewport].problems
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_issue_page_does_not_scroll_sideways(issue_visits: dict[str, Visit], viewport: str) -> None:
    width = VIEWPORTS[viewport]["viewport"]["width"]
    overflow = _horizontal_overflow(issue_visits[viewport].page, width)
    assert not overflow, overflow


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_title_and_section_headings_are_visible(
    issue_visits: dict[str, Visit], viewport: str, built_site: BuiltSite
) -> None:
    page = issue_visits[viewport].page
    for name in (built_site.latest.title, *SECTION_HEADINGS):
        assert page.get_by_role("heading", name=name).first.is_visible(), name


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_paywall_is_shown_and_paid_items_are_not(
    issue_visits: dict[str, Visit], viewport: str, built_site: BuiltSite
) -> None:
    page, issue = issue_visits[viewport].page, built_site.latest
    paywall = built_site.settings.compose.paywall_text
    assert page.get_by_text(paywall).first.is_visible(), f"no visible {paywall!r}"
    paid = [item for item in issue.items if item.tier is Tier.PAID]
    free = [item for item in issue.items if item.tier is Tier.FREE]
    assert paid and free
    shown = page.inner_text("body")
    source = (built_site.root / f"issues/{issue.number}/index.html").read_text("utf-8")
    for item in free:
        assert page.get_by_role("link", name=item.title, exact=True).first.is_visible()
    leaks = [
        text
        for item in paid
        for text in (item.title, item.url)
        if text in shown or text in source  # not even hidden in the markup
    ]
    assert leaks == [], f"paid items on the public page: {leaks}"


def test_body_text_is_at_least_16px_on_a_phone(
    issue_visits: dict[str, Visit], built_site: BuiltSite
) -> None:
    page, issue = issue_visits["phone"].page, built_site.latest
    samples = {"<body>": page.locator("body")}
    for item in issue.items:
        if item.tier is Tier.FREE:
            samples[item.summary[:40]] = page.get_by_text(item.summary[:40]).first
    small = {}
    for name, locator in samples.items():
        size = locator.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        if size < MIN_BODY_FONT_PX:
            small[name] = size
    assert not small, f"text under {MIN_BODY_FONT_PX}px: " + "; ".join(
        f"{name!r} is {size}px" for name, size in small.items()
    )


def _short_links(links: dict[str, Locator]) -> str | None:
    """The links under the minimum tap height, described; None when there are none."""
    short = []
    for name, link in links.items():
        box = link.bounding_box()
        assert box is not None, f"{name}: not laid out"
        if box["height"] < MIN_TAP_HEIGHT_PX - 0.5:  # sub-pixel rounding
            short.append(f"{name} is {box['height']:.1f}px")
    return f"links under {MIN_TAP_HEIGHT_PX}px tall: " + "; ".join(short) if short else None


def test_item_titles_and_sources_are_tall_enough_to_tap_on_a_phone(
    issue_visits: dict[str, Visit], built_site: BuiltSite
) -> None:
    page, issue = issue_visits["phone"].page, built_site.latest
    links = {}
    for item in issue.items:
        if item.tier is Tier.FREE:
            links[repr(item.title)] = page.get_by_role("link", name=item.title, exact=True).first
            for source in item.sources:
                links[f"source {source.name} of {item.title!r}"] = page.locator(
                    f'a[href="{source.url}"]'
                ).first
    short = _short_links(links)
    assert not short, short


def test_every_link_to_an_item_is_tall_enough_to_tap_on_a_phone(
    issue_visits: dict[str, Visit], built_site: BuiltSite
) -> None:
    page, issue = issue_visits["phone"].page, built_site.latest
    links = {}
    for item in issue.items:
        if item.tier is Tier.FREE:
            found = page.locator(f'a[href="{item.url}"]')
            for n, link in enumerate(found.all()):
                links[f"link {n + 1} of {found.count()} to {item.title!r}"] = link
    short = _short_links(links)
    assert not short, short


def test_no_page_scrolls_sideways_on_a_phone(browser: Browser, built_site: BuiltSite) -> None:
    context = browser.new_context(**VIEWPORTS["phone"])
    try:
        failures = {}
        for path in EXPECTED_PAGES:
            visit = _visit(context, built_site.url(path.removesuffix("index.html")), built_site)
            found = _horizontal_overflow(visit.page, 375)
            if visit.problems or found:
                failures[path] = [*visit.problems, *([found] if found else [])]
            visit.page.close()
        assert not failures, "\n".join(
            f"{path}: {problem}" for path, problems in failures.items() for problem in problems
        )
    finally:
        context.close()
