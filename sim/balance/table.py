"""A balance analysis as a plain-text table in either language (see `sim.balance`)."""

from __future__ import annotations

from collections.abc import Sequence

from ..economics import roubles
from ..experiment import Estimate
from ..i18n import counted, num, pick, t
from ..lean import money
from ..scenario import Scenario
from .results import STRATEGIES, Balance, BalanceWarning

# --- the table -----------------------------------------------------------------------------------------


def _tool_names(ids: Sequence[str], lang: str, scenario: Scenario | None) -> str:
    if not ids:
        return t("balance.nothing", lang)
    if scenario is None:
        return ", ".join(ids)
    return ", ".join(pick(scenario.tools[i].name, lang) if i in scenario.tools else i for i in ids)


def _ci(e: Estimate, lang: str, *, signed: bool = False) -> str:
    if e.ci95 is None:
        return "-"
    return t("table.interval", lang, low=num(e.ci95[0], lang, 1, signed=signed),
             high=num(e.ci95[1], lang, 1, signed=signed))


def _mean(e: Estimate, lang: str, *, signed: bool = False) -> str:
    return "-" if e.mean is None else num(e.mean, lang, 1, signed=signed)


def _grid(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def amount(value: float, unit: str, lang: str) -> str:
    """A cost or budget in its unit: "125 000 RUB" / "125 000 ₽", or "3 points" / "3 балла"."""
    if unit == "RUB":
        return roubles(value, lang)
    return counted("tools.points", int(value), lang)


def warning_text(w: BalanceWarning, lang: str, scenario: Scenario | None = None, unit: str = "points") -> str:
    """One warning as a sentence in `lang` (`unit`: of the budgets, see `Balance.unit`)."""
    p = w.params
    if w.kind == "budget_not_binding":
        if p["reason"] == "unspent":
            return t("balance.warn_unspent_amount", lang, unspent=amount(p["unspent"], unit, lang),
                     budget=amount(p["budget"], unit, lang))
        return t("balance.warn_all_fit_amount", lang, tools=_tool_names(p["tools"], lang, scenario),
                 cost=amount(p["points"], unit, lang), budget=amount(p["budget"], unit, lang))
    if w.kind == "one_rule_dominates":
        return t("balance.warn_one_rule", lang, strategy=t(f"balance.strategy_{p['strategy']}", lang))
    if w.kind == "tool_never_pays":
        return t("balance.warn_never_pays", lang, tool=_tool_names([p["tool"]], lang, scenario))
    return t("balance.warn_never_worse", lang, tool=_tool_names([p["tool"]], lang, scenario),
             pairs=counted("balance.pairs", p["pairs"], lang))


def balance_table(b: Balance, lang: str, scenario: Scenario | None) -> str:
    lines = [t("balance.title", lang, scenario=b.scenario_id, seed=b.seed,
               replications=counted("balance.replications", b.replications, lang),
               runs=counted("balance.sets", b.runs, lang))]
    for name in STRATEGIES:
        lines.append(f"  {t(f'balance.strategy_{name}', lang)}: {_tool_names(b.classes[name], lang, scenario)}")
    for r in b.rounds:
        lines += ["", t("balance.round", lang, n=r.number, budget=amount(r.budget, b.unit, lang))]
        lines.append("  " + t("balance.kept", lang, tools=_tool_names(r.kept, lang, scenario)))
        lines.append("  " + t("balance.on_offer", lang, tools=_tool_names(r.on_offer, lang, scenario)))
        search = t(f"balance.search_{r.search}", lang, beam=b.beam)
        lines.append("  " + t("balance.searched", lang, affordable=counted("balance.sets", r.affordable, lang),
                              evaluated=r.evaluated, search=search))
        head = [t("balance.col_rank", lang), t("balance.col_new", lang), t("balance.col_points" if b.unit == "points" else "balance.col_cost", lang),
                t("balance.col_score", lang), t("balance.col_ci", lang), t("balance.col_diff", lang), t("balance.col_verdict", lang)]
        rows = [head]
        for i, s in enumerate(r.best, start=1):
            verdict = ("" if i == 1 else t("balance.tied", lang) if s.tied else t("balance.identical", lang)
                       if s.identical else t("balance.below", lang))
            rows.append([str(i), _tool_names(s.new, lang, scenario), str(s.points) if b.unit == "points" else money(s.points), _mean(s.score, lang),
                         _ci(s.score, lang), "" if i == 1 else f"{_mean(s.diff, lang, signed=True)} ({_ci(s.diff, lang, signed=True)})",
                         verdict])
        lines += ["  " + line for line in _grid(rows)]
        lines.append("  " + t("balance.ties", lang, tied=counted("balance.sets", r.tied, lang), identical=r.identical))
        lines.append("  " + t("balance.unspent_amount", lang, unspent=amount(r.unspent, b.unit, lang),
                                       budget=amount(r.budget, b.unit, lang)))
        lines.append("  " + t("balance.strategies", lang))
        for st in r.strategies:
            verdict = t("balance.tied", lang) if st.tied else t("balance.below", lang)
            lines.append("    " + t("balance.strategy_line", lang, name=t(f"balance.strategy_{st.name}", lang),
                                    score=_mean(st.score, lang), ci=_ci(st.score, lang),
                                    diff=_mean(st.diff, lang, signed=True), verdict=verdict,
                                    new=_tool_names(st.new, lang, scenario)))
        for w in r.warnings:
            lines.append("  ! " + warning_text(w, lang, scenario, b.unit))
    lines += ["", t("balance.game_warnings", lang)]
    lines += ["  ! " + warning_text(w, lang, scenario, b.unit) for w in b.warnings] or ["  " + t("balance.no_warnings", lang)]
    return "\n".join(lines) + "\n"
