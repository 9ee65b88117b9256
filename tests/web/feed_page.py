"""The broker page's live-feed section read back: its cells by name, from a page
fetched from the platform or from the section rendered alone for a feed's state."""

from __future__ import annotations

import html
import re

from algodesk.brokers.base import FeedState
from algodesk.web.common import templates

CELLS = ("status", "connected", "subscriptions", "rate", "last-tick", "reconnects",
         "stalls", "fallback")


def feed_cells(page: str) -> dict[str, str]:
    """Each `feed-*` cell's text (tags and entities resolved, whitespace collapsed)."""
    cells = {}
    for name in CELLS:
        found = re.search(rf'id="feed-{name}"[^>]*>(.*?)</td>', page, re.S)
        assert found, f"no feed-{name} on the page"
        cells[name] = " ".join(html.unescape(re.sub(r"<[^>]+>", "", found[1])).split())
    return cells


def rendered(state: FeedState) -> dict[str, str]:
    """The broker page's feed section for `state`, as the page renders it."""
    return feed_cells(templates.env.get_template("feed_state.html").render(feed=state))


__all__ = ["feed_cells", "rendered"]
