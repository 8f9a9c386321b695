"""A time line chart of measures: one row per subject, a bar per measure coloured by its status
over time, a marker for each status change. SVG or PNG, drawn with matplotlib (an optional
dependency: ``pip install 'fr-tracker[chart]'``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

from tracker import DISTRIBUTION
from tracker.errors import TrackerError
from tracker.report.timeline import Event, MeasureLine, Timeline
from tracker.vocab import SubjectType

SUFFIXES = (".svg", ".png")

#: Fill colour of each status (colour-blind safe: Okabe-Ito, with grey for "expired").
STATUS_COLOURS = {
    "in_force": "#009E73",
    "enacted": "#0072B2",
    "proposed": "#56B4E9",
    "suspended": "#E69F00",
    "expired": "#BBBBBB",
    "repealed": "#D55E00",
    "failed": "#CC79A7",
}
STATUS_LABELS = {
    "in_force": "in force", "enacted": "enacted", "proposed": "proposed", "suspended": "suspended",
    "expired": "expired", "repealed": "repealed", "failed": "failed",
}
#: Marker of each kind of status change.
MARKERS = {
    "proposed": "o", "enacted": "^", "in_force": "s", "extended": "P",
    "suspended": "D", "expired": "X", "failed": "x", "repealed": "v",
}

LANE = 1.0  # height of a measure's lane
BAR = 0.62  # height of a bar in its lane
GAP = 0.45  # space between two subjects


class ChartError(TrackerError):
    """The chart cannot be drawn (matplotlib is missing, or the file type is not SVG/PNG)."""


def _figure_class() -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError as e:
        raise ChartError(
            f"drawing a chart needs matplotlib: pip install '{DISTRIBUTION}[chart]' (or pip install matplotlib)"
        ) from e
    return Figure


def _rows(timeline: Timeline) -> list[tuple[str, list[MeasureLine]]]:
    """Subjects, each with its measures: jurisdictions then companies, each by first date."""
    groups: dict[tuple[SubjectType, str], list[MeasureLine]] = defaultdict(list)
    for line in timeline.measures:
        groups[(line.subject_type, line.subject)].append(line)

    def first(line: MeasureLine) -> dt.date:
        days = [p.start for p in line.periods if p.start] + [e.day for e in line.events if e.day]
        return min(days, default=dt.date.max)

    for lines in groups.values():
        lines.sort(key=lambda m: (first(m), m.measure_id))
    ordered = sorted(groups.items(), key=lambda kv: (kv[0][0] is SubjectType.COMPANY, first(kv[1][0]), kv[0][1]))
    return [
        (name + (" (company)" if kind is SubjectType.COMPANY else ""), lines)
        for (kind, name), lines in ordered
    ]


def _span(timeline: Timeline) -> tuple[dt.date, dt.date]:
    days = [timeline.today]
    for line in timeline.measures:
        days += [p.start for p in line.periods if p.start] + [p.end for p in line.periods if p.end]
        days += [e.day for e in line.events if e.day]
    start = timeline.since or min(days)
    end = max(days)
    if start > end:  # a window that starts after today: empty, drawn forward, never reversed
        return start, start + dt.timedelta(days=90)
    pad = dt.timedelta(days=max(30, (end - start).days // 40))
    return (timeline.since or start - pad), end + pad


def is_empty(timeline: Timeline) -> bool:
    """Whether the chart's window holds nothing: no measure, or a window that starts after today."""
    return not timeline.measures or (timeline.since is not None and timeline.since > timeline.today)


def empty_reason(timeline: Timeline) -> str:
    """What an empty chart says instead of bars."""
    if timeline.since is not None and timeline.since > timeline.today:
        return f"nothing to show: the window starts on {timeline.since.isoformat()}, after today"
    return "nothing to show: no measure" + (f" since {timeline.since.isoformat()}" if timeline.since else "")


def _event_visible(event: Event, start: dt.date) -> bool:
    return event.day is not None and event.day >= start


def draw_chart(timeline: Timeline, path: str | Path, *, title: str | None = None) -> Path:
    """Draw ``timeline`` into ``path`` (``.svg`` or ``.png``); returns the path.

    Raises:
        ChartError: matplotlib is not installed, or the suffix is neither .svg nor .png.

    An empty window (no measure, or one that starts after today) is drawn as an empty chart
    that says so, on an axis that runs forward.
    """
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise ChartError(f"{path}: the chart is drawn as .svg or .png, not {path.suffix or 'no suffix'!r}")
    Figure = _figure_class()
    from matplotlib import dates as mdates
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    rows = [] if is_empty(timeline) else _rows(timeline)
    lanes = sum(len(lines) for _, lines in rows)
    start, end = _span(timeline)
    x0, x1 = mdates.date2num(start), mdates.date2num(end)
    height = max(3.2, 1.9 + 0.34 * lanes + 0.15 * len(rows))
    fig = Figure(figsize=(13, height), layout="constrained")
    ax = fig.add_subplot()

    y = 0.0
    ticks, labels = [], []
    for index, (subject, lines) in enumerate(rows):
        top = y
        for line in lines:
            centre = y + LANE / 2
            _draw_measure(ax, line, centre, start, end, timeline.today, mdates)
            label = f"{line.kind} \u00b7 {line.scope}"
            ax.text(x1, centre, f" {label} [{line.measure_id}]", va="center", ha="left",
                    fontsize=7.5, color="#333333", clip_on=False)
            y += LANE
        ticks.append((top + y) / 2)
        labels.append(subject)
        if index % 2 == 0:
            ax.axhspan(top - GAP / 2, y + GAP / 2, color="#f2f2f2", zorder=0, lw=0)
        y += GAP

    ax.set_ylim(max(y - GAP / 2, 1.0), -GAP / 2)
    ax.set_yticks(ticks, labels, fontsize=8.5)
    ax.tick_params(axis="y", length=0)
    ax.set_xlim(x0, x1)
    span_years = (end - start).days / 365.25
    ax.xaxis.set_major_locator(mdates.YearLocator(1 if span_years <= 12 else 2))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.xaxis.set_minor_locator(mdates.MonthLocator((1, 4, 7, 10)))
    ax.grid(axis="x", which="major", color="#cccccc", lw=0.6, zorder=0.5)
    ax.grid(axis="x", which="minor", color="#e6e6e6", lw=0.4, zorder=0.5)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    if start <= timeline.today <= end:
        today = mdates.date2num(timeline.today)
        ax.axvline(today, color="#444444", lw=0.9, ls="--", zorder=3)
        ax.text(today, -GAP / 2, f" today ({timeline.today.isoformat()})", fontsize=7.5,
                va="bottom", ha="left", color="#444444")
    if not rows:
        ax.text((x0 + x1) / 2, 0.4, empty_reason(timeline), ha="center", va="center", fontsize=11)

    handles = [Patch(facecolor=STATUS_COLOURS[s], edgecolor="none", label=STATUS_LABELS[s]) for s in STATUS_COLOURS]
    handles.append(Patch(facecolor="#009E73", alpha=0.45, hatch="////", edgecolor="white",
                         label="date uncertain"))
    handles += [
        Line2D([], [], ls="none", marker=MARKERS[s], markersize=6.5, markerfacecolor="white",
               markeredgecolor="black", label=s.replace("_", " "))
        for s in MARKERS
    ]
    handles.append(Line2D([], [], ls="none", marker="|", markersize=10, markeredgewidth=2,
                          markeredgecolor="black", label="end of term"))
    fig.legend(handles=handles, loc="outside lower center", ncol=8, fontsize=8, frameon=False,
               title="status (bars) and status changes (markers)", title_fontsize=8)
    scope = f" since {timeline.since.isoformat()}" if timeline.since else ""
    fig.suptitle(title or f"Facial-recognition measures: status over time{scope}, "
                 f"as known on {timeline.today.isoformat()}", fontsize=12,
                 x=0.01, ha="left")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150)
    return path


def _draw_measure(
    ax: Any, line: MeasureLine, centre: float, start: dt.date, end: dt.date, today: dt.date, mdates: Any
) -> None:
    for period in line.periods:
        if period.start is None:  # no date at all: say so rather than invent a bar
            ax.text(mdates.date2num(start), centre,
                    f"  {STATUS_LABELS[period.state.status.value]}, date unknown",
                    va="center", fontsize=7.5, style="italic", color="#555555")
            continue
        # a period that has not ended is drawn up to today: the chart makes no forecast
        last = period.end or max(today, period.start + dt.timedelta(days=30))
        p0, p1 = max(period.start, start), min(last, end)
        if p1 <= p0:
            continue
        colour = STATUS_COLOURS[period.state.status.value]
        faint = period.state.uncertain or period.start > today  # uncertain, or still to come
        ax.barh(centre, mdates.date2num(p1) - mdates.date2num(p0), left=mdates.date2num(p0),
                height=BAR, color=colour, alpha=0.45 if faint else 1.0,
                hatch="////" if period.state.uncertain else None, edgecolor="white",
                linewidth=0.4, zorder=2)
    for event in line.events:
        if not _event_visible(event, start):
            continue
        x = mdates.date2num(event.day)
        if event.end_of_term:
            ax.plot([x], [centre], ls="none", marker="|", markersize=11, markeredgewidth=2,
                    color="black", zorder=4)
            continue
        ax.plot([x], [centre], ls="none", marker=MARKERS.get(event.status, "o"), markersize=6.5,
                markerfacecolor="white", markeredgecolor="black", markeredgewidth=0.9, zorder=4)
