"""The animated library floor as a Plotly figure: frames from `sim.floor`, drawn, nothing computed here.

One floor, or two side by side (the library as it is and a variant, in step: one slider, one clock).
Readers are large markers coloured and shaped by group (Okabe-Ito colours, a different symbol per
group, so nothing is told by colour alone); staff are black stars; the reshelving cart and the
back-office piles carry their counts as text. Play buttons at three speeds change only the frame
duration on the browser's side, so changing speed never rebuilds the frames.

The figure is assembled as plain dicts and wrapped in `go.Figure` once: building hundreds of frames
through Plotly's validated objects costs seconds; these dicts use only known properties (a test
validates a small figure through Plotly's own checks).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas  # noqa: F401  # Plotly looks pandas up in sys.modules without importing it (see below)
import plotly.graph_objects as go

from sim.floor import FloorFrames, FloorPlan
from sim.i18n import pick, t
from sim.scenario import Scenario
from sim.wastewalk import Observation, WalkScore, amount_label, observation_label, place_label

from .charts import BLUE, FONT, GREEN, GREY, ORANGE, PURPLE, SKY, VERMILLION

# While another page's thread is still importing pandas on a fresh server, Plotly's validators met a
# half-initialised module ("partially initialized module 'pandas' has no attribute 'Series'") and the
# floor failed; importing pandas here waits on the import lock until it is complete.

GROUP_COLOURS = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, "#F0E442", "#000000")
GROUP_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "hexagon", "pentagon", "star-triangle-up", "cross")
READER_SIZE = 15
SPEEDS = (1, 4, 12)  # simulated minutes per second of play
FRAME_MS = 1000  # one frame a second at x1 with one-minute frames


def clock(minutes: float) -> str:
    """HH:MM of a time in minutes since the start of day 0."""
    m = round(minutes) % 1440
    return f"{m // 60:02d}:{m % 60:02d}"


def _arr(values: np.ndarray, digits: int = 1) -> list[float]:
    # plain lists: short arrays are smaller in JSON as numbers than as typed base64 blocks
    return np.round(np.asarray(values, dtype=np.float64), digits).tolist()


def station_key(plan: FloorPlan, scenario: Scenario, lang: str) -> list[tuple[str, str]]:
    """The compact floor's key: (number, name) of each station in the order the plan draws them."""
    ids = [sid for sid in plan.spots if sid in scenario.stations]
    return [(str(i), pick(scenario.stations[sid].name, lang)) for i, sid in enumerate(ids, start=1)]


def _static_traces(plan: FloorPlan, scenario: Scenario, lang: str, axes: tuple[str, str],
                   compact: bool = False) -> list[dict[str, Any]]:
    """Stations as labelled squares, the entrance: drawn once, not in the frames. `compact` (a phone):
    each station is numbered and named in a key under the figure (`station_key`), as names collide there."""
    x: list[float] = []
    y: list[float] = []
    text: list[str] = []
    symbols: list[str] = []
    colours: list[str] = []
    where: list[str] = []
    for sid, (sx, sy) in plan.spots.items():
        if sid not in scenario.stations:
            continue
        kind = plan.kinds[sid]
        x.append(sx)
        y.append(sy + (0.2 if kind in ("desk", "kiosk") else 0.0))
        text.append(str(len(text) + 1) if compact else _wrap(pick(scenario.stations[sid].name, lang)))
        # desk names above the desk (its line runs below); back rooms alternate so names do not collide
        where.append("top center" if kind in ("desk", "kiosk", "stacks") else
                     "bottom center" if len(where) % 2 == 0 else "top center")
        symbols.append({"desk": "square", "kiosk": "square-open", "open": "line-ns", "back": "square",
                        "stacks": "square"}[kind])
        colours.append("#BBBBBB" if kind != "open" else "#8C6D46")
    ex, ey = plan.spots["entrance"]
    x.append(ex)
    y.append(ey)
    text.append("" if compact else t("floor.entrance", lang))
    symbols.append("triangle-up")
    colours.append(GREY)
    where.append("bottom center")
    if scenario.stacks is not None:
        bx, by = plan.spots["stack_bench"]
        x.append(bx)
        y.append(by - 1.0)
        text.append("" if compact else t("floor.stack_bench", lang))
        symbols.append("line-ew")
        colours.append(GREY)
        where.append("bottom left")
    return [{
        "type": "scatter", "x": x, "y": y, "mode": "markers+text", "text": text, "textposition": where,
        "marker": {"size": 16 if compact else 30, "symbol": symbols, "color": colours, "line": {"width": 1, "color": GREY}},
        "textfont": {"size": 12 if compact else 13, "color": "#333333"}, "hoverinfo": "skip", "showlegend": False,
        "xaxis": axes[0], "yaxis": axes[1],
    }]


def _wrap(name: str, width: int = 16) -> str:
    """A long name on two lines (at the space nearest the middle), so neighbours' names do not collide."""
    if len(name) <= width or " " not in name:
        return name
    middle = len(name) // 2
    cut = min((i for i, ch in enumerate(name) if ch == " "), key=lambda i: abs(i - middle))
    return name[:cut] + "<br>" + name[cut + 1:]


def _shapes(plan: FloorPlan, axes: tuple[str, str]) -> list[dict[str, Any]]:
    xref, yref = axes
    line = {"color": GREY, "width": 3}
    shapes = [
        {"type": "rect", "xref": xref, "yref": yref, "x0": 0, "y0": 0, "x1": plan.width_m, "y1": plan.depth_m,
         "line": line, "layer": "below"},
        # the wall between the hall and the back office, with a door in the middle
        {"type": "line", "xref": xref, "yref": yref, "x0": 0, "y0": plan.wall_y_m, "x1": plan.width_m / 2 - 2,
         "y1": plan.wall_y_m, "line": line},
        {"type": "line", "xref": xref, "yref": yref, "x0": plan.width_m / 2 + 2, "y0": plan.wall_y_m,
         "x1": plan.width_m, "y1": plan.wall_y_m, "line": line},
    ]
    for sid, kind in plan.kinds.items():
        if kind == "open":
            sx, sy = plan.spots[sid]
            for dy in (-3.0, -1.5, 0.0, 1.5):
                shapes.append({"type": "line", "xref": xref, "yref": yref, "x0": sx - 2.5, "x1": sx + 0.5,
                               "y0": sy + dy, "y1": sy + dy, "line": {"color": "#8C6D46", "width": 5}})
    return shapes


def _frame_traces(fr: FloorFrames, k: int, scenario: Scenario, lang: str, axes: tuple[str, str],
                  slices: dict[str, np.ndarray], purpose_names: list[str]) -> list[dict[str, Any]]:
    """The moving traces of one floor at frame `k`: readers by group, staff, books, piles."""
    xa, ya = axes
    r = fr.readers
    lo, hi = slices["readers"][k], slices["readers"][k + 1]
    grp = r["group"][lo:hi]
    out: list[dict[str, Any]] = []
    for g in range(len(fr.group_ids)):
        sel = np.nonzero(grp == g)[0] + lo
        out.append({"type": "scatter", "x": _arr(r["x"][sel]), "y": _arr(r["y"][sel]),
                    "text": [purpose_names[p] for p in r["purpose"][sel]], "customdata": _arr(r["wait"][sel], 0),
                    "xaxis": xa, "yaxis": ya})
    s = fr.staff
    lo, hi = slices["staff"][k], slices["staff"][k + 1]
    out.append({"type": "scatter", "x": _arr(s["x"][lo:hi]), "y": _arr(s["y"][lo:hi]),
                "text": [slices["role_names"][i] for i in s["role"][lo:hi]], "xaxis": xa, "yaxis": ya})
    cart_xy = fr.plan.spots["cart"]
    out.append({"type": "scatter", "x": [cart_xy[0], float(fr.run_xy[k][0])], "y": [cart_xy[1], float(fr.run_xy[k][1])],
                "text": [str(int(fr.cart_books[k])), str(int(fr.run_books[k])) if fr.run_books[k] else ""],
                "marker": {"size": [16 + min(30, int(fr.cart_books[k]) // 3), 16 + min(30, int(fr.run_books[k]) // 3) if fr.run_books[k] else 0]},
                "xaxis": xa, "yaxis": ya})
    if fr.pile_steps:
        px = [fr.plan.pile_spots[sid][0] for sid in fr.pile_steps]
        py = [fr.plan.pile_spots[sid][1] for sid in fr.pile_steps]
        waiting = fr.pile_waiting[:, k]
        work = fr.pile_in_work[:, k]
        out.append({"type": "scatter", "x": px, "y": py,
                    "text": [f"{int(w)}|{int(v)}" for w, v in zip(waiting, work, strict=True)],
                    "marker": {"size": [12 + min(40, int(w + v)) for w, v in zip(waiting, work, strict=True)]},
                    "xaxis": xa, "yaxis": ya})
    return out


def _trace_styles(fr: FloorFrames, scenario: Scenario, lang: str, first: bool) -> list[dict[str, Any]]:
    """Everything about the moving traces that does not change between frames."""
    minutes = t("floor.minutes", lang)
    styles: list[dict[str, Any]] = []
    for g, gid in enumerate(fr.group_ids):
        name = pick(scenario.groups[gid].name, lang) if gid in scenario.groups else gid
        styles.append({
            "mode": "markers", "name": name, "showlegend": first,
            "marker": {"size": READER_SIZE, "color": GROUP_COLOURS[g % len(GROUP_COLOURS)],
                       "symbol": GROUP_SYMBOLS[g % len(GROUP_SYMBOLS)], "line": {"width": 1, "color": "#222222"}},
            "hovertemplate": f"<b>{name}</b><br>%{{text}}<br>{t('floor.wait_so_far', lang)}: %{{customdata:.0f}} {minutes}<extra></extra>",
        })
    styles.append({"mode": "markers", "name": t("floor.staff", lang), "showlegend": first,
                   "marker": {"size": 20, "color": "#000000", "symbol": "star"},
                   "hovertemplate": "%{text}<extra></extra>"})
    styles.append({"mode": "markers+text", "name": t("floor.cart", lang), "showlegend": first,
                   "marker": {"color": "#8C6D46", "symbol": "square", "opacity": 0.85},
                   "textposition": "middle right", "textfont": {"size": 16},
                   "hovertemplate": f"{t('floor.cart_books', lang)}: %{{text}}<extra></extra>"})
    if fr.pile_steps:
        styles.append({"mode": "markers+text", "name": t("floor.piles", lang),
                       "showlegend": first, "marker": {"color": GREY, "symbol": "square", "opacity": 0.8},
                       "textposition": "top center", "textfont": {"size": 14},
                       "hovertemplate": f"{t('floor.pile_help', lang)}: %{{text}}<extra></extra>"})
    return styles


def _legend_traces(styles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One still, off-plan point per kind of mark, for the legend: a group with nobody inside at the
    first frame still has its entry, and the moving traces stay out of the legend."""
    out = []
    for style in styles:
        marker = {**style.get("marker", {}), "size": style.get("marker", {}).get("size", 16)}
        # no legend groups: a horizontal legend puts each group on a row of its own
        out.append({"type": "scatter", "x": [-50.0], "y": [-50.0], "mode": "markers", "name": style["name"],
                    "marker": marker, "showlegend": True, "hoverinfo": "skip", "xaxis": "x", "yaxis": "y"})
        style["showlegend"] = False
    return out


def _slices(fr: FloorFrames, scenario: Scenario, lang: str) -> dict[str, Any]:
    n = len(fr.times)
    return {
        "readers": np.searchsorted(fr.readers["frame"], np.arange(n + 1)),
        "staff": np.searchsorted(fr.staff["frame"], np.arange(n + 1)),
        "role_names": [pick(scenario.roles[rid].name, lang) if rid in scenario.roles else rid for rid in fr.role_ids],
    }


def floor_figure(floors: list[tuple[str, Scenario, FloorFrames]], lang: str, compact: bool = False) -> go.Figure:
    """One floor, or several side by side in step (same frame times), as one animated figure.

    `floors`: (title, scenario, frames) each; every frames object must share the same `times`.
    `compact` (a phone): stations numbered (the key goes under the figure), a smaller clock above the
    plan, a shorter figure.
    """
    if not floors:
        raise ValueError("floor_figure needs at least one floor")
    times = floors[0][2].times
    for _, _, fr in floors[1:]:
        if len(fr.times) != len(times) or not np.allclose(fr.times, times):
            raise ValueError("floors shown side by side need the same frame times")
    n_floors = len(floors)
    gap = 0.03
    span = (1.0 - gap * (n_floors - 1)) / n_floors
    layout: dict[str, Any] = {
        "template": "plotly_white", "font": {**FONT, "size": 12 if compact else 16}, "height": 480 if compact else 720,
        "margin": {"l": 10, "r": 10, "t": 110, "b": 10}, "hovermode": "closest",
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.07, "x": 0.0, "font": {"size": 11 if compact else 15},
                   "itemsizing": "constant", "itemclick": False, "itemdoubleclick": False},
        "shapes": [], "annotations": [],
    }
    data: list[dict[str, Any]] = []
    animated: list[int] = []
    styles_all: list[list[dict[str, Any]]] = []
    slices_all = []
    purpose_names_all = []
    for i, (title, scenario, fr) in enumerate(floors):
        suffix = "" if i == 0 else str(i + 1)
        axes = (f"x{suffix}", f"y{suffix}")
        plan = fr.plan
        layout[f"xaxis{suffix}"] = {"domain": [i * (span + gap), i * (span + gap) + span], "range": [-1, plan.width_m + 1],
                                    "visible": False, "fixedrange": True}
        layout[f"yaxis{suffix}"] = {"range": [-3.5, plan.depth_m + 1], "visible": False, "fixedrange": True,
                                    "scaleanchor": axes[0], "scaleratio": 1}
        layout["shapes"] += _shapes(plan, axes)
        layout["annotations"].append({"text": f"<b>{title}</b>", "xref": f"x{suffix} domain", "yref": "paper",
                                      "x": 0.5, "y": 1.0, "showarrow": False, "font": {"size": 18},
                                      "yanchor": "bottom"})
        data += _static_traces(plan, scenario, lang, axes, compact)
        styles = _trace_styles(fr, scenario, lang, first=i == 0)
        styles_all.append(styles)
        slices_all.append(_slices(fr, scenario, lang))
        purpose_names_all.append([pick(scenario.purposes[p].name, lang) if p in scenario.purposes else p
                                  for p in fr.purpose_ids])
        if i == 0:
            data += _legend_traces(styles)
        first = _frame_traces(fr, 0, scenario, lang, axes, slices_all[-1], purpose_names_all[-1])
        for trace, style in zip(first, styles, strict=True):
            animated.append(len(data))
            data.append({**trace, **style, "marker": {**style.get("marker", {}), **trace.get("marker", {})}})
    # the clock: a big text on the first floor, moved by every frame
    clock_idx = len(data)
    # under the plan on a phone (on it, the clock covered the entrance and the desk's line)
    data.append({"type": "scatter", "x": [0.5], "y": [-2.5 if compact else 1.5], "mode": "text", "text": [""],
                 "textfont": {"size": 16 if compact else 30, "color": "#000000"}, "textposition": "middle right",
                 "hoverinfo": "skip",
                 "showlegend": False, "xaxis": "x", "yaxis": "y"})
    animated.append(clock_idx)

    frames: list[dict[str, Any]] = []
    # a daily library shows the time of day; a continuous run, hours and minutes since its start
    daily = floors[0][2].day is not None
    names = [clock(x) if daily else f"{int(x // 60)}:{int(x % 60):02d}" for x in times]
    for k in range(len(times)):
        fdata: list[dict[str, Any]] = []
        for i, (_, scenario, fr) in enumerate(floors):
            suffix = "" if i == 0 else str(i + 1)
            traces = _frame_traces(fr, k, scenario, lang, (f"x{suffix}", f"y{suffix}"), slices_all[i],
                                   purpose_names_all[i])
            for trace in traces:
                trace.pop("xaxis")
                trace.pop("yaxis")
                fdata.append(trace)
        fdata.append({"type": "scatter", "text": [names[k]]})
        frames.append({"name": str(k), "data": fdata, "traces": animated})
    _restyle_frame_markers(frames, data, animated)
    data[clock_idx]["text"] = [names[0]]

    def play(speed: int) -> dict[str, Any]:
        step_min = float(times[1] - times[0]) if len(times) > 1 else 1.0
        duration = max(30, int(FRAME_MS * step_min / speed))
        return {"label": f"▶ ×{speed}", "method": "animate",
                "args": [None, {"frame": {"duration": duration, "redraw": False}, "fromcurrent": True,
                                "transition": {"duration": 0}, "mode": "immediate"}]}

    layout["updatemenus"] = [{
        "type": "buttons", "direction": "left", "showactive": False, "x": 0.0, "y": -0.01, "xanchor": "left",
        "yanchor": "top", "pad": {"r": 8, "t": 8}, "font": {"size": 16},
        "buttons": [
            *(play(s) for s in SPEEDS),
            {"label": "❚❚ " + t("floor.pause", lang), "method": "animate",
             "args": [[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate",
                               "transition": {"duration": 0}}]},
        ],
    }]
    layout["sliders"] = [{
        "active": 0, "x": 0.0, "len": 1.0, "y": -0.07, "yanchor": "top", "pad": {"t": 30},
        "currentvalue": {"prefix": t("floor.clock", lang) + ": ", "font": {"size": 18}},
        "steps": [{"label": names[k], "method": "animate",
                   "args": [[str(k)], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate",
                                       "transition": {"duration": 0}}]} for k in range(len(times))],
    }]
    layout["margin"]["b"] = 170
    return FloorFigure(data, layout, frames)


class FloorFigure(go.Figure):
    """A Plotly figure whose frames stay plain data.

    The traces and the layout are validated as usual; the frames (hundreds of them, built above from
    the same few properties as the first frame's traces) are kept as dicts and added by `to_dict`,
    which is what Streamlit and `plotly.io.to_json` send to the browser. Validating them as
    `go.Frame` objects would cost seconds for a day; `tests/test_floor.py` validates a short window's
    frames through Plotly to keep the dicts honest.
    """

    def __init__(self, data: list[dict[str, Any]], layout: dict[str, Any], frames: list[dict[str, Any]]) -> None:
        super().__init__(data=data, layout=layout)
        self._plain_frames = frames

    @property
    def plain_frames(self) -> list[dict[str, Any]]:
        """The frames as plain data (what the browser receives)."""
        return self._plain_frames

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["frames"] = self._plain_frames
        return out

    def to_plotly_json(self) -> dict[str, Any]:
        return self.to_dict()


def _restyle_frame_markers(frames: list[dict[str, Any]], data: list[dict[str, Any]], animated: list[int]) -> None:
    """A frame's `marker` replaces the trace's: merge the trace's marker style into frames that set sizes."""
    for frame in frames:
        for trace, idx in zip(frame["data"], animated, strict=True):
            if "marker" in trace:
                trace["marker"] = {**data[idx].get("marker", {}), **trace["marker"]}


# --- the waste walk, as table rows -----------------------------------------------------------------


def place_name(scenario: Scenario, where: str, lang: str) -> str:
    """A station's or a step's name (see `sim.wastewalk.place_label`)."""
    return place_label(scenario, where, lang)


def amount_text(amount: float, unit: str, lang: str) -> str:
    """An amount in its unit with the right plural form (see `sim.wastewalk.amount_label`)."""
    return amount_label(amount, unit, lang)


def walk_rows(scenario: Scenario, result: WalkScore, lang: str) -> list[dict[str, str]]:
    """The top wastes with found or missed, for a table (column names in `lang`)."""
    rows = []
    found = {id(w) for w in result.found}
    for rank, w in enumerate(result.top, start=1):
        rows.append({
            t("gemba.col_rank", lang): str(rank),
            t("gemba.col_waste", lang): t(f"waste.{w.waste}", lang),
            t("gemba.col_where", lang): place_name(scenario, w.where, lang),
            t("gemba.col_amount", lang): amount_text(w.amount, w.unit, lang),
            t("gemba.col_found", lang): t("gemba.yes" if id(w) in found else "gemba.no", lang),
        })
    return rows


def observation_text(scenario: Scenario, observation: Observation, lang: str) -> str:
    """'Waste · where' of an observation."""
    return observation_label(scenario, observation, lang)
