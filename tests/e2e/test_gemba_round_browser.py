"""End to end in Chromium: in a gemba round a team plays the floor on its Team page, sees the clock
advance, and records an observation; the trainer's projector plays the floor for the room."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page, expect
from trainer_steps import create_session, sign_in

expect.set_options(timeout=90_000)

SHOTS = Path(__file__).resolve().parent / "screenshots"
CLOCK = re.compile(r"(\d\d):(\d\d)")


def clock_minutes(plot: Locator) -> int:
    text = plot.locator(".slider-container text.slider-label").first.text_content() or ""
    found = CLOCK.search(text)
    assert found, f"no clock in {text!r}"
    return int(found.group(1)) * 60 + int(found.group(2))


def plays(plot: Locator, page: Page) -> None:
    """Press play at the fastest speed: the clock moves on; pause: it stands still."""
    expect(plot.locator(".slider-container text.slider-label").first).to_contain_text(":")
    start = clock_minutes(plot)
    plot.get_by_text("▶ ×12").click()
    page.wait_for_timeout(2500)
    later = clock_minutes(plot)
    assert later > start, (start, later)
    plot.get_by_text("❚❚", exact=False).click()
    page.wait_for_timeout(500)
    paused = clock_minutes(plot)
    page.wait_for_timeout(1200)
    assert clock_minutes(plot) == paused


def test_a_team_plays_the_floor_in_a_gemba_round(page: Page, browser: Browser, app_url: str) -> None:
    page.set_default_timeout(60_000)
    sign_in(page, app_url)
    code = create_session(page, replications=2, rounds=1)
    page.get_by_role("button", name="Open the round").first.click()
    expect(page.get_by_role("button", name="Close the round")).to_be_visible()

    context = browser.new_context(viewport={"width": 1280, "height": 1700}, locale="en-US")
    team = context.new_page()
    team.set_default_timeout(60_000)
    team.goto(f"{app_url}/team?code={code}")
    team.get_by_text("English", exact=True).click()
    team.get_by_label("Team name").fill("Owls")
    team.get_by_role("button", name="Join", exact=True).click()
    expect(team.get_by_role("heading", name="Waste walk: go and see")).to_be_visible()

    team.get_by_text("Watch the floor", exact=True).click()
    floor = team.locator(".js-plotly-plot:has(.slider-container)").first
    expect(floor).to_be_visible()
    floor.scroll_into_view_if_needed()
    plays(floor, team)
    assert floor.locator(".scatterlayer .trace .points path").count() > 10

    team.get_by_label("What you saw (optional)").fill("a line all the way to the door")
    team.get_by_role("button", name="Add the observation").click()
    expect(team.get_by_text("a line all the way to the door", exact=False)).to_be_visible()
    expect(team.get_by_text("1 observation of at most 20.")).to_be_visible()
    SHOTS.mkdir(exist_ok=True)
    team.screenshot(path=str(SHOTS / "team-gemba-round.png"))

    # the projector plays the same floor for the room
    projector = context.new_page()
    projector.set_default_timeout(60_000)
    projector.goto(f"{app_url}/projector?code={code}&lang=en&floor=1")
    room = projector.locator(".js-plotly-plot:has(.slider-container)").first
    expect(room).to_be_visible()
    room.scroll_into_view_if_needed()
    plays(room, projector)
    projector.screenshot(path=str(SHOTS / "projector-floor.png"))
    context.close()
