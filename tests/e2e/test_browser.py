"""End to end in Chromium: Russian by default, English and back, a sandbox run with one tool."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

expect.set_options(timeout=60_000)

SHOTS = Path(__file__).resolve().parent / "screenshots"


def test_sandbox_in_both_languages(page: Page, app_url: str) -> None:
    page.set_default_timeout(60_000)
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Бережливая библиотека: тренажёр")).to_be_visible()

    # English and back: the sidebar switch changes every label
    page.get_by_text("English", exact=True).click()
    expect(page.get_by_role("heading", name="Lean Library Trainer")).to_be_visible()
    expect(page.get_by_role("button", name="Open the sandbox")).to_be_visible()
    page.get_by_text("Русский", exact=True).click()
    expect(page.get_by_role("heading", name="Бережливая библиотека: тренажёр")).to_be_visible()

    # the sandbox: one tool, a small run
    page.get_by_role("button", name="Открыть песочницу").click()
    expect(page.get_by_role("heading", name="Песочница")).to_be_visible()
    page.get_by_text("Вытягивание: доставка из книгохранилища по каждому требованию", exact=True).click()
    reps = page.get_by_role("spinbutton", name="Число повторов (прогонов)")
    reps.fill("5")
    reps.press("Enter")
    page.get_by_role("button", name="Запустить").click()
    expect(page.get_by_text("Результаты:", exact=False)).to_be_visible()

    # KPI cards, with the verdict in words
    expect(page.get_by_text("Среднее время ожидания", exact=True).first).to_be_visible()
    expect(page.get_by_text("Время выполнения заказа из книгохранилища", exact=True)).to_be_visible()
    expect(page.get_by_text("лучше").first).to_be_visible()

    # the value-stream map of the closed-stack order
    page.get_by_role("tab", name="Карта потока").click()
    expect(page.get_by_text("Время протекания процесса", exact=False).first).to_be_visible()
    expect(page.locator(".js-plotly-plot").first).to_be_visible()
    SHOTS.mkdir(exist_ok=True)
    page.get_by_role("tab", name="Карта потока").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "sandbox-vsm.png"))
    assert (SHOTS / "sandbox-vsm.png").stat().st_size > 10_000
