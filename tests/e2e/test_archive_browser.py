"""An exported 40-team, three-round session imports again through the Trainer page, in Chromium,
and is usable there: listed, chosen, its teams counted, its leaderboard on the projector."""

from __future__ import annotations

import re
from pathlib import Path

from builders import local_runner, one_day_hall
from playwright.sync_api import Page, expect
from trainer_steps import sign_in

from sim.store import Store
from sim.training import Training, Worker
from sim.training.archive_check import pack_archive

expect.set_options(timeout=90_000)
TEAMS = 40  # the session limit
ROUNDS = 3


def _exported_session(folder: Path) -> tuple[Path, str]:
    """A session played through the service in its own database (2 replications: few distinct runs),
    exported as the console's "archive" download is; returns the file and the session's title."""
    service = Training(Store(f"sqlite:///{folder / 'elsewhere.db'}"))
    scenario = one_day_hall()
    title = "Spring training, group B"
    code = service.create_session(scenario, seed=5, replications=2, rounds_count=ROUNDS, title=title)
    names = [f"Team {i:02d}" for i in range(1, TEAMS + 1)]
    for name in names:
        service.join(code, name)
    for number in range(1, ROUNDS + 1):
        service.open_round(code, number)
        offer = [x for r in scenario.rounds[:number] for x in r.offer]
        for i, name in enumerate(names):
            kept = service.kept_tools(code, name, number)
            choice = [x for x in offer[i % 3: i % 3 + 1] if x not in kept] if offer and i % 2 else []
            service.submit(code, name, number, choice, {"wastes": f"queue seen by {name}", "why": ""})
        service.close_round(code, number)
        Worker(service, local_runner).run_once()
        assert service.round(code, number).status == "closed", service.round(code, number)
        service.reveal(code, number)
    document = service.export_session(code)
    assert len(document["teams"]) == TEAMS and len(document["decisions"]) == TEAMS * ROUNDS
    assert {r["round"] for r in document["results"]} == set(range(1, ROUNDS + 1))
    archive = folder / f"session-{code}.json.gz"
    archive.write_bytes(pack_archive(document))
    return archive, title


def test_a_40_team_session_exported_imports_again_through_the_trainer_page(page: Page, app_url: str,
                                                                            tmp_path: Path) -> None:
    archive, title = _exported_session(tmp_path)

    page.set_default_timeout(90_000)
    sign_in(page, app_url)

    page.get_by_text("Import a session archive", exact=True).click()
    page.locator("input[type='file']").set_input_files(str(archive))
    import_button = page.get_by_role("button", name="Import", exact=True)
    expect(import_button).to_be_visible()
    import_button.click()

    # the imported session is chosen, under a code of its own, with its forty teams and its rounds
    heading = page.get_by_role("heading", name=re.compile(r"Code for the teams: [A-Z0-9]{6}"))
    expect(heading).to_be_visible()
    code = re.search(r"[A-Z0-9]{6}$", heading.inner_text().strip()).group(0)
    expect(page.get_by_role("combobox", name="Session")).to_have_value(f"{code} · {title}")  # listed and chosen
    expect(page.get_by_test_id("stMetricValue").filter(has_text=str(TEAMS))).to_be_visible()
    expect(page.get_by_text("Leaderboard")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.locator("[data-testid='stAlertContentError']")).to_have_count(0)

    # usable: the projector shows its last round's leaderboard, one line per team
    projector = page.context.new_page()
    projector.goto(f"{app_url}/projector?code={code}&lang=en")
    expect(projector.get_by_text(f"Session code: {code}")).to_be_visible()
    expect(projector.get_by_text(re.compile(r"^\d+=?\. Team \d\d — "))).to_have_count(TEAMS)
    projector.close()
