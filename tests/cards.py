"""The KPI cards of a page under AppTest: they are one HTML block (`dashboard.widgets.kpi_cards_html`)."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any


class _Cards(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cards: dict[str, dict[str, str]] = {}
        self.order: list[str] = []
        self._card: str | None = None
        self._part: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        classes = (found.get("class") or "").split()
        if "llt-card" in classes:
            self._card = str(found["data-kpi"])
            self.cards[self._card] = {}
            self.order.append(self._card)
        elif self._card is not None and tag == "div" and classes:
            self._part = classes[0].removeprefix("llt-")
            self.cards[self._card][self._part] = ""

    def handle_data(self, data: str) -> None:
        if self._card is not None and self._part is not None:
            self.cards[self._card][self._part] += data


def html_bodies(at: Any) -> list[str]:
    """Every st.html body of the page."""
    return [el.proto.body for el in at.get("html")]


def cards(at: Any) -> dict[str, dict[str, str]]:
    """The page's cards by figure id, each {"name", "value", "diff", "ci"} as plain text (in page order)."""
    parser = _Cards()
    for body in html_bodies(at):
        parser.feed(body)
    return {k: parser.cards[k] for k in parser.order}
