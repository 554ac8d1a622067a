"""What every browser test of a session does first, written once: the trainer signs in and creates a
session, and the page says the code the teams type."""

from __future__ import annotations

import re

from builders import E2E_PASSCODE
from playwright.sync_api import Page, expect


def sign_in(page: Page, app_url: str, query: str = "") -> None:
    """Open the Trainer page in English and sign in as Anna with the test server's passcode."""
    page.goto(f"{app_url}/trainer{query}")
    page.get_by_text("English", exact=True).click()
    page.get_by_label("Your name").fill("Anna")
    page.get_by_label("Trainer passcode").fill(E2E_PASSCODE)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as Anna.")).to_be_visible()


def create_session(page: Page, replications: int, rounds: int) -> str:
    """Create a session of the default scenario from the signed-in Trainer page; its code."""
    try:
        expect(page.get_by_role("spinbutton", name="Replications (runs)")).to_be_visible(timeout=10_000)
    except AssertionError:  # other sessions exist on this server: the form is folded
        page.get_by_text("New session", exact=True).click()
    page.get_by_role("spinbutton", name="Replications (runs)").fill(str(replications))
    page.get_by_role("spinbutton", name="Rounds").fill(str(rounds))
    heading = page.get_by_role("heading", name=re.compile(r"Code for the teams: [A-Z0-9]{6}"))
    before = heading.inner_text().strip() if heading.count() else ""  # another test's session, shown first
    page.get_by_role("button", name="Create the session").click()
    if before:
        expect(heading).not_to_have_text(before)
    else:
        expect(heading).to_be_visible()
    found = re.search(r"[A-Z0-9]{6}$", heading.inner_text().strip())
    assert found is not None
    return found.group(0)
