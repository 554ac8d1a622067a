"""Live pages in Chromium: the trainer's status panel is drawn again only when something it shows
changed (no grey flash every two seconds), and a change reaches the open pages at once, pushed by the
server rather than found by the pages' own (15-second) polls."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from trainer_steps import create_session, sign_in

from dashboard.live import BACKSTOP_EVERY

expect.set_options(timeout=90_000)
OPENED: list[BrowserContext] = []

# counts the changes of the page's main area (each redraw of an element, each grey "stale" mark)
COUNT_CHANGES = """() => {
  window.__changes = 0; window.__stale = 0;
  const main = document.querySelector("[data-testid='stMain']");
  new MutationObserver(records => {
    for (const r of records) {
      window.__changes += 1;
      if (r.type === "attributes" && r.target.getAttribute && r.target.getAttribute("data-stale") === "true")
        window.__stale += 1;
    }
  }).observe(main, {childList: true, subtree: true, characterData: true, attributes: true,
                    attributeFilter: ["data-stale"]});
}"""


@pytest.fixture(autouse=True)
def _close_pages() -> Iterator[None]:
    yield
    while OPENED:
        OPENED.pop().close()


def _page(browser: Browser) -> Page:
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 1700})
    OPENED.append(context)
    page = context.new_page()
    page.set_default_timeout(90_000)
    return page


def _trainer_with_a_session(browser: Browser, app_url: str) -> tuple[Page, str]:
    trainer = _page(browser)
    sign_in(trainer, app_url, "?lang=en")
    code = create_session(trainer, replications=2, rounds=2)
    expect(trainer.get_by_text("No team has joined yet.")).to_be_visible()
    return trainer, code


def _settled(page: Page) -> None:
    """Wait (up to 20 s) until the page's main area has not changed for a second: a loaded browser
    may still be drawing the last run."""
    page.evaluate(COUNT_CHANGES)
    for _ in range(20):
        page.wait_for_timeout(1000)
        if page.evaluate("() => window.__changes") == 0:
            return
        page.evaluate("() => { window.__changes = 0; }")


def _quiet(page: Page, seconds: float) -> tuple[int, int]:
    """(changes, grey marks) of the page's main area over `seconds` in which nothing happens."""
    _settled(page)
    page.evaluate(COUNT_CHANGES)
    page.wait_for_timeout(seconds * 1000)
    changes, stale = page.evaluate("() => [window.__changes, window.__stale]")
    return changes, stale


def test_the_status_panel_is_redrawn_only_when_something_changed(browser: Browser, app_url: str) -> None:
    trainer, code = _trainer_with_a_session(browser, app_url)
    changes, stale = _quiet(trainer, 7)  # three of the old 2-second redraws would fall in here
    assert (changes, stale) == (0, 0)

    team = _page(browser)
    team.goto(f"{app_url}/team?code={code}&lang=en")
    team.get_by_label("Team name").fill("Owls")
    team.get_by_role("button", name="Join", exact=True).click()
    expect(team.get_by_text(f'Team "Owls", session {code}.')).to_be_visible()
    started = time.monotonic()
    # the console shows it at once (pushed by the server), long before its own poll would
    expect(trainer.get_by_test_id("stMetricValue").first).to_have_text("1", timeout=BACKSTOP_EVERY * 1000 / 2)
    assert time.monotonic() - started < BACKSTOP_EVERY / 2
    assert _quiet(trainer, 5) == (0, 0)  # and then it is quiet again


def test_a_round_opened_by_the_trainer_reaches_a_team_page_at_once(browser: Browser, app_url: str) -> None:
    trainer, code = _trainer_with_a_session(browser, app_url)
    team = _page(browser)
    team.goto(f"{app_url}/team?code={code}&lang=en")
    team.get_by_label("Team name").fill("Foxes")
    team.get_by_role("button", name="Join", exact=True).click()
    expect(team.get_by_text(f'Team "Foxes", session {code}.')).to_be_visible()
    expect(team.get_by_text("Waiting for the trainer to open the first round.")).to_be_visible()
    team.wait_for_timeout(1000)
    trainer.get_by_role("button", name="Open the round", exact=True).first.click()
    expect(trainer.get_by_role("button", name="Close the round")).to_be_visible()
    started = time.monotonic()
    expect(team.get_by_role("button", name="Submit the decision")).to_be_visible(timeout=BACKSTOP_EVERY * 1000 / 2)
    assert time.monotonic() - started < BACKSTOP_EVERY / 2
