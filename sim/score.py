"""The balanced score: one number for a round, 100 = the library as it is, higher is better.

Four parts, each the mean of its figures' relative changes against the baseline:
- service: wait_mean, wait_p90, time_in_library_mean, left_unserved_share (readers lost are
  service lost, whoever they are);
- accessibility: served_within_15_worst_group, wait_p90_worst_group, wait_p90_access_groups.
  Not equity_p90_ratio (the worst group's p90 over everyone's): when a tool shortens every
  group's wait, everyone's p90 can fall faster than the worst group's and the ratio rises, so the
  part would call an improvement for every group a loss. The worst group's figures in minutes
  fall only when the worst-off really gain; the groups the scenario marks as having access needs
  (readers with disabilities, seniors) are looked after by name, so a tool made for them (a
  priority lane) is rewarded when it helps them, and the others' losses show in the worst group's
  figures and in the service part. Not wait_p90_group_gap: a tool that serves the groups with
  access needs first widens the gap by making them the best-off, which is the point of it; the gap
  is still reported;
- efficiency: pce, first_pass_yield, books_not_found_share, stack_order_lead_time_mean,
  reshelve_lead_time_mean, acquisitions_lead_time_days, acquisitions_requested_lead_time_days
  (overproduction: the items readers asked for, behind the ones nobody did), backoffice_wip_mean
  (new items in the back office: by Little's law it grows when the lead time or the backlog does,
  so a back office that shelves hardly anything cannot look fast on the few items it shelved);
- cost: staff cost plus the running cost of the tools.

A figure's relative change is r = (baseline - variant) / max(|baseline|, |variant|, floor) for a
figure where lower is better (the other way round where higher is better). It lies between -1 and
1, is 0 when nothing changed, and the floor (1 minute, 0.01 of a share, ...) keeps it sane when the
baseline is zero. The score is 100 x (1 + the weighted mean of the parts), so it lies between 0 and
200; figures undefined on either side (no closed stacks in the scenario, say) are left out.
It is computed replication by replication (paired), so it has a confidence interval too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .experiment import Estimate, Results
from .kpis import kpi
from .lean import tool_roubles
from .scenario import Scenario

PARTS: dict[str, tuple[str, ...]] = {
    "service": ("wait_mean", "wait_p90", "time_in_library_mean", "left_unserved_share"),
    "accessibility": ("served_within_15_worst_group", "wait_p90_worst_group", "wait_p90_access_groups"),
    "efficiency": (
        "pce", "first_pass_yield", "books_not_found_share", "stack_order_lead_time_mean",
        "reshelve_lead_time_mean", "acquisitions_lead_time_days", "acquisitions_requested_lead_time_days",
        "backoffice_wip_mean",
    ),
    "cost": ("total_cost",),
}
FLOORS = {"min": 1.0, "h": 0.25, "days": 0.25, "share": 0.01, "ratio": 0.05, "RUB": 100.0}


@dataclass(frozen=True)
class Score:
    total: Estimate
    parts: dict[str, Estimate]


def relative_change(baseline: float, variant: float, better: str, floor: float) -> float:
    """Improvement of `variant` over `baseline` in [-1, 1]; 0 when equal."""
    scale = max(abs(baseline), abs(variant), floor)
    change = (baseline - variant) / scale
    return change if better == "lower" else -change


def _figure(kpis: dict[str, float | None], name: str, tool_cost: float) -> float | None:
    if name == "total_cost":
        staff = kpis.get("staff_cost")
        return None if staff is None else staff + tool_cost
    return kpis.get(name)


def score_one(baseline: dict[str, float | None], variant: dict[str, float | None], weights: dict[str, float],
              baseline_tool_cost: float = 0.0, variant_tool_cost: float = 0.0) -> tuple[float, dict[str, float | None]]:
    """The score of one replication and its parts (each part's mean relative change)."""
    parts: dict[str, float | None] = {}
    for part, names in PARTS.items():
        changes = []
        for name in names:
            b = _figure(baseline, name, baseline_tool_cost)
            v = _figure(variant, name, variant_tool_cost)
            if b is None or v is None:
                continue
            info = kpi("staff_cost" if name == "total_cost" else name)
            changes.append(relative_change(b, v, info.better, FLOORS.get(info.unit, 0.01)))
        parts[part] = sum(changes) / len(changes) if changes else None
    used = {p: (float(w), value) for p, w in weights.items() if (value := parts.get(p)) is not None and w > 0}
    if not used:
        return 100.0, parts
    mean = sum(w * value for w, value in used.values()) / sum(w for w, _ in used.values())
    return 100.0 * (1.0 + mean), parts


def balanced_score(scenario: Scenario, baseline: Results, variant: Results,
                   baseline_tools: Iterable[str] = (), variant_tools: Iterable[str] = (), *,
                   variant_scenario: Scenario | None = None) -> Score:
    """The score of `variant` against `baseline` (runs with the same seed and replications), weighted as
    `scenario` says. Each side's tools are priced in the library they were applied to: the baseline's in
    `scenario`, the variant's in `variant_scenario` (another library, as `lean-sim compare --variant`
    runs) or `scenario`."""
    if baseline.seed != variant.seed or baseline.replications != variant.replications:
        raise ValueError("the score needs both runs made with the same seed and number of replications")
    weights = scenario.score.model_dump()
    b_cost = tool_roubles(scenario, baseline_tools)
    v_cost = tool_roubles(variant_scenario or scenario, variant_tools)
    totals: list[float | None] = []
    parts: dict[str, list[float | None]] = {p: [] for p in PARTS}
    for b, v in zip(baseline.per_replication, variant.per_replication):
        total, rep_parts = score_one(b.kpis, v.kpis, weights, b_cost, v_cost)
        totals.append(total)
        for p in PARTS:
            parts[p].append(rep_parts[p])
    return Score(Estimate.of(totals), {p: Estimate.of(values) for p, values in parts.items()})
