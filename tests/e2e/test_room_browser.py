"""A session as a room plays it, in Chromium: a trainer, six teams (one on a 390 px phone), a
projector; one team joins after round 1, one reloads its page, the trainer double-clicks "Reveal"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from trainer_steps import create_session, sign_in

expect.set_options(timeout=90_000)
SHOTS = Path(__file__).resolve().parent / "screenshots"
PHONE = {
    "viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
    "user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                  "Version/17.0 Mobile/15E148 Safari/604.1",
}
DESKTOP = {"viewport": {"width": 1280, "height": 1700}}


OPENED: list[BrowserContext] = []


def _context(browser: Browser, **kwargs: object) -> BrowserContext:
    context = browser.new_context(locale="en-US", **kwargs)  # type: ignore[arg-type]
    OPENED.append(context)
    return context


@pytest.fixture(autouse=True)
def _close_the_room() -> Iterator[None]:
    """Close every page of the room after the test: open pages keep polling the shared server."""
    yield
    while OPENED:
        OPENED.pop().close()


def _english(page: Page) -> None:
    page.get_by_text("English", exact=True).click()


def _join(browser: Browser, app_url: str, code: str, name: str, phone: bool = False) -> Page:
    team = _context(browser, **(PHONE if phone else DESKTOP)).new_page()
    team.set_default_timeout(90_000)
    team.goto(f"{app_url}/team?code={code}&lang=en")  # on a phone the sidebar is folded: the address sets English
    expect(team.get_by_label("Session code")).to_have_value(code)  # filled from the address
    team.get_by_label("Team name").fill(name)
    team.get_by_role("button", name="Join", exact=True).click()
    expect(team.get_by_text(f'Team "{name}", session {code}.')).to_be_visible()
    return team


def _no_error_box(page: Page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.locator("[data-testid='stAlertContentError']")).to_have_count(0)


def _overlapping_labels(page: Page) -> list[str]:
    """Pairs of text labels that overlap inside any one Plotly chart on the page."""
    return page.evaluate("""() => {
      const found = [];
      for (const chart of document.querySelectorAll('.js-plotly-plot')) {
        const boxes = [...chart.querySelectorAll('text')]
          .filter(el => el.textContent.trim() && el.getBoundingClientRect().width > 0)
          .map(el => [el.textContent.trim(), el.getBoundingClientRect()]);
        for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
          const [ta, a] = boxes[i], [tb, b] = boxes[j];
          const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          if (w > 2 && h > 2) found.push(ta + ' / ' + tb);
        }
      }
      return found;
    }""")


def _submit(team: Page) -> None:
    button = team.get_by_role("button", name="Submit the decision")
    expect(button).to_be_visible()
    button.click()
    expect(team.get_by_text("Decision received", exact=False)).to_be_visible()


def test_a_room_of_six_teams(browser: Browser, app_url: str) -> None:
    trainer = _context(browser, **DESKTOP).new_page()
    trainer.set_default_timeout(90_000)
    sign_in(trainer, app_url)
    code = create_session(trainer, replications=2, rounds=2)

    projector = _context(browser, viewport={"width": 1920, "height": 1080}).new_page()
    projector.goto(f"{app_url}/projector?code={code}&lang=en")
    expect(projector.get_by_text(f"Session code: {code}")).to_be_visible()
    expect(projector.get_by_text(re.compile(rf"/team\?code={code}"))).to_be_visible()  # the address to type
    expect(projector.get_by_role("img")).to_have_count(1)  # its QR code

    names = ["Owls", "Hedgehogs", "Foxes", "Bears", "Phone team"]
    teams = {name: _join(browser, app_url, code, name, phone=(name == "Phone team")) for name in names}

    # round 1, as it is: every team sees the library as it is before choosing
    expect(trainer.get_by_text(str(len(names)), exact=True).first).to_be_visible()  # the console counted them
    trainer.get_by_role("button", name="Open the round", exact=True).first.click()
    expect(trainer.get_by_role("button", name="Close the round")).to_be_visible()
    for team in teams.values():
        expect(team.get_by_role("heading", name="The library as it is")).to_be_visible()
        _submit(team)
    expect(projector.get_by_text(f"{len(names)} of {len(names)} teams have submitted.")).to_be_visible()
    trainer.get_by_role("button", name="Close the round").first.click()
    reveal = trainer.get_by_role("button", name="Reveal the results")
    expect(reveal).to_be_visible()
    reveal.dblclick()  # the double click of a hurried trainer
    expect(trainer.get_by_text("Leaderboard")).to_be_visible()
    expect(trainer.get_by_role("button", name="Yes, reopen")).to_have_count(0)
    for team in teams.values():
        expect(team.get_by_role("heading", name="Results of round 1")).to_be_visible()
        _no_error_box(team)
    expect(projector.get_by_text(re.compile(r"^1=\. "))).to_have_count(len(names))  # everyone as it is: a tie

    # the phone's charts: no label lies on another
    phone = teams["Phone team"]
    phone.wait_for_timeout(1500)
    assert _overlapping_labels(phone) == []
    SHOTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(SHOTS / "team-phone.png"), full_page=True)

    # a team joins after round 1; another reloads its page and is still that team, results and all
    teams["Late"] = _join(browser, app_url, code, "Late")
    expect(teams["Late"].get_by_text("Your team joined after round 1", exact=False)).to_be_visible()
    _no_error_box(teams["Late"])
    owls = teams["Owls"]
    owls.reload()
    expect(owls.get_by_text('Team "Owls"', exact=False)).to_be_visible()
    expect(owls.get_by_role("heading", name="Results of round 1")).to_be_visible()

    trainer.get_by_role("button", name="Open the round", exact=True).first.click()
    expect(trainer.get_by_role("button", name="Close the round")).to_be_visible()
    for name, team in teams.items():
        try:
            expect(team.get_by_role("button", name="Submit the decision")).to_be_visible()
        except AssertionError:
            SHOTS.mkdir(exist_ok=True)
            team.screenshot(path=str(SHOTS / f"failed-round-2-{name}.png"), full_page=True)
            raise
        _submit(team)
    trainer.get_by_role("button", name="Close the round").first.click()
    expect(trainer.get_by_role("button", name="Reveal the results")).to_be_visible()
    trainer.get_by_role("button", name="Reveal the results").click()
    for team in teams.values():
        expect(team.get_by_role("heading", name="Results of round 2")).to_be_visible()
        _no_error_box(team)
    projector.screenshot(path=str(SHOTS / "projector.png"))
    _no_error_box(trainer)
