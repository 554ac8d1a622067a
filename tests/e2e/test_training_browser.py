"""End to end in Chromium: a trainer runs a session for two teams in separate browsers."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from trainer_steps import create_session, sign_in

expect.set_options(timeout=90_000)

SHOTS = Path(__file__).resolve().parent / "screenshots"


def _join(browser: Browser, app_url: str, code: str, name: str) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 1700}, locale="en-US")
    team = context.new_page()
    team.set_default_timeout(60_000)
    team.goto(f"{app_url}/team?code={code}")
    team.get_by_text("English", exact=True).click()
    expect(team.get_by_label("Session code")).to_have_value(code)
    team.get_by_label("Team name").fill(name)
    team.get_by_role("button", name="Join", exact=True).click()
    expect(team.get_by_text(f'Team "{name}", session {code}.')).to_be_visible()
    return team


def test_a_session_with_two_teams(page: Page, browser: Browser, app_url: str, tmp_path: Path) -> None:
    page.set_default_timeout(60_000)
    sign_in(page, app_url)
    code = create_session(page, replications=3, rounds=2)

    owls = _join(browser, app_url, code, "Owls")
    hedgehogs = _join(browser, app_url, code, "Hedgehogs")

    # round 1, as it is: open, both submit, close, reveal
    page.get_by_role("button", name="Open the round").first.click()
    for team in (owls, hedgehogs):
        expect(team.get_by_role("button", name="Submit the decision")).to_be_visible()
        team.get_by_role("button", name="Submit the decision").click()
        expect(team.get_by_text("Decision received", exact=False)).to_be_visible()
    page.get_by_role("button", name="Close the round").first.click()
    expect(page.get_by_role("button", name="Reveal the results")).to_be_visible()
    page.get_by_role("button", name="Reveal the results").click()
    expect(page.get_by_text("Leaderboard")).to_be_visible()
    board = page.locator("[data-testid='stDataFrame']").last
    expect(board).to_be_visible()

    # the teams see their results
    expect(owls.get_by_text("Results of round 1")).to_be_visible()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "trainer-console.png"))

    # the debrief report downloads and opens
    page.get_by_role("button", name="Prepare the report, figures and archive").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the report (HTML)").click()
    report = tmp_path / "report.html"
    download.value.save_as(report)
    opened = page.context.new_page()
    opened.goto(report.as_uri())
    expect(opened.get_by_role("heading", name=re.compile("Session report"))).to_be_visible()
    expect(opened.get_by_text("Owls").first).to_be_visible()
    expect(opened.get_by_text("Hedgehogs").first).to_be_visible()
    expect(opened.locator(".js-plotly-plot").first).to_be_visible()
    for team in (owls, hedgehogs):  # open pages keep polling the shared server
        team.context.close()
