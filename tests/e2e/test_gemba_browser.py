"""End to end in Chromium: the Gemba page plays the floor and its clock advances."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

expect.set_options(timeout=60_000)

SHOTS = Path(__file__).resolve().parent / "screenshots"
CLOCK = re.compile(r"(\d\d):(\d\d)")


def clock_minutes(page: Page) -> int:
    # the slider's current value ("Время: 10:00") is its first label
    text = page.locator(".js-plotly-plot .slider-container text.slider-label").first.text_content() or ""
    found = CLOCK.search(text)
    assert found, f"no clock in {text!r}"
    return int(found.group(1)) * 60 + int(found.group(2))


def test_the_floor_plays_and_the_clock_advances(page: Page, app_url: str) -> None:
    page.set_default_timeout(60_000)
    page.goto(app_url)
    page.get_by_role("link", name="Гемба").click()
    expect(page.get_by_role("heading", name="Гемба: пойди и посмотри")).to_be_visible()
    plot = page.locator(".js-plotly-plot").first
    expect(plot).to_be_visible()
    expect(plot.locator(".slider-container text.slider-label").first).to_have_text("Время: 10:00")
    # the legend names the reader groups and the staff, in Russian
    expect(plot.get_by_text("Пенсионеры", exact=True)).to_be_visible()
    expect(plot.get_by_text("Сотрудники", exact=True)).to_be_visible()

    start = clock_minutes(page)
    plot.get_by_text("▶ ×12").click()
    page.wait_for_timeout(2500)
    later = clock_minutes(page)
    assert later > start, (start, later)
    plot.get_by_text("❚❚ Пауза").click()
    page.wait_for_timeout(500)
    paused = clock_minutes(page)
    page.wait_for_timeout(1500)
    assert clock_minutes(page) == paused  # paused: the clock stands still
    # readers are drawn: the groups' markers are on the floor
    assert plot.locator(".scatterlayer .trace .points path").count() > 10
    SHOTS.mkdir(exist_ok=True)
    plot.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "gemba-floor.png"))
    assert (SHOTS / "gemba-floor.png").stat().st_size > 10_000
