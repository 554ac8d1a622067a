"""The HTML report speaks the reader's language: units in words (percent, minutes, roubles), shares in
percent, the Russian decimal comma, on its tables and its charts' axes."""

from __future__ import annotations

import json
import re
from pathlib import Path

from builders import local_runner, one_day_hall

from sim.i18n import num
from sim.kpis import kpi
from sim.report import session_html
from sim.store import Store
from sim.training import Training, Worker


def _played(tmp_path: Path) -> tuple[Training, str]:
    service = Training(Store(f"sqlite:///{tmp_path / 'r.db'}"))
    code = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=2)
    service.join(code, "Совы")
    service.open_round(code, 1)
    service.submit(code, "Совы", 1, [], {"wastes": "очередь", "why": ""})
    service.close_round(code, 1)
    Worker(service, local_runner).run_once()
    return service, code


def test_the_html_report_gives_units_percent_and_the_decimal_comma(tmp_path: Path) -> None:
    service, code = _played(tmp_path)
    report = session_html(service, code, "ru")
    headers = re.findall(r"<th>([^<]*)</th>", report)
    assert f"{kpi('left_unserved_share').ru}, %" in headers
    assert f"{kpi('wait_mean').ru}, мин" in headers
    assert f"{kpi('staff_cost').ru}, ₽" in headers
    row = re.search(r"<tbody><tr>(.*?)</tr>", report).group(1)
    cells = re.findall(r"<td>([^<]*)</td>", row)
    share = service.leaderboard(code, 1)[0]["results"].kpis["left_unserved_share"].mean
    assert num(100 * share, "ru") in cells  # 3,4 (percent), not 0.03
    assert not any(re.fullmatch(r"-?\d+\.\d+", c) for c in cells)  # no decimal points in Russian
    # the charts' axes: units in words, not the catalogue's codes
    titles = [json.loads(f'"{x}"') for x in re.findall(r'"yaxis":\{"title":\{"text":"([^"]*)"', report)]
    assert titles and not any(x in ("share", "min", "RUB") for x in titles), titles
    assert {"мин", "%", "₽"} <= set(titles)


def test_an_interval_is_shown_within_the_values_a_figure_can_take() -> None:
    """Two replications give wide t intervals: a share's interval "from -0.5% to 8%" or a count's below
    zero reads as nonsense on a card and in the exports; the estimate itself is untouched."""
    from dashboard.widgets import kpi_cards_html
    from sim.experiment import Estimate
    from sim.export import run_rows
    from sim.kpis import shown_interval

    assert shown_interval("left_unserved_share", (-0.005, 0.08)) == (0.0, 0.08)
    assert shown_interval("served_within_15_share", (0.885, 1.026)) == (0.885, 1.0)
    assert shown_interval("overproduction_min_per_day", (-3.0, 12.0)) == (0.0, 12.0)
    assert shown_interval("utilisation.librarian", (0.9, 1.1)) == (0.9, 1.1)  # work past closing time
    assert shown_interval("wait_mean", None) is None
    kpis = {"left_unserved_share": Estimate(0.038, (-0.005, 0.08), 2)}
    html = kpi_cards_html(kpis, None, "ru", ids=["left_unserved_share"])
    assert "от 0,0% до 8,0%" in html and "-0,5" not in html
    results = type("R", (), {"kpis": kpis, "groups": {}})()
    row = run_rows(results, "en")[1]  # type: ignore[arg-type]
    assert row[-2:] == [0.0, 0.08]
