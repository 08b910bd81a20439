"""The Figures tab: every figure statement of the articles as a table, a chart and a list of
conflicts; and the small chart under a chat answer whose cited sentences give comparable figures.

A thin shell over :meth:`Assistant.facts` and :meth:`Assistant.facts_in`. A click on a row opens
the fact's sentence in its paragraph, drawn by the chat's own source card (:mod:`ui.sources`).
Charts are Gradio's native plots over a pandas DataFrame (Vega, bundled with Gradio): one point per
fact, never summed or averaged, and only facts of one metric and one unit on one chart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.types import Citation
from ui.render import esc
from ui.sources import source_card

if TYPE_CHECKING:
    import pandas as pd
    from pandas.io.formats.style import Styler

    from assistant.core import Assistant

FILTERS = ("entity", "metric", "period", "scope")
HEADERS = ["Entity", "Metric", "Value", "Period", "Scope", "Measured by", "Source", "Date"]
CONFLICT_MARK = "⚠ "  # before the value of a fact another source contradicts
CONFLICT_STYLE = "background-color: rgba(245, 158, 11, 0.2)"
PRIVATE = "private"
ROW_LIMIT = 2000  # rows sent to the page at once (a large index has tens of thousands); the summary says so
FIGURES_CSS = """
.fig-legend, .fig-summary, .fig-note, .fig-note-title { color: var(--cma-muted); font-size: 0.85rem; margin: 0; }
.fig-summary { font-size: 0.9rem; padding: 2px 2px 0; }
.fig-summary b { color: var(--body-text-color); }
.fig-legend-keys { display: flex; flex-wrap: wrap; gap: 2px 14px; font-size: 0.8rem; padding: 2px 4px 6px; }
.fig-key { display: inline-flex; align-items: center; gap: 5px; color: var(--body-text-color); }
.fig-key i { width: 9px; height: 9px; border-radius: 50%; border: 2px solid; flex: none; }
.fig-note { flex-basis: 100%; font-size: 0.8rem; }
.fig-fact { font-size: 0.9rem; margin: 0 0 6px; line-height: 1.5; }
.fig-tag { display: inline-block; border: 1px solid var(--cma-line); border-radius: 999px; padding: 0 8px;
  margin: 2px 4px 0 0; font-size: 0.78rem; color: var(--cma-muted); }
.fig-tag.warn, .fig-side-figure b { border-color: #f59e0b; color: #b45309; }
.fig-conflicts { display: flex; flex-direction: column; gap: 12px; }
.fig-conflict { border: 1px solid #f59e0b; border-radius: 12px; padding: 10px 14px 2px; background: var(--cma-card); }
.fig-conflict > h4 { margin: 0 0 4px !important; font-size: 0.95rem; }
.fig-side-figure { margin: 8px 0 0 !important; font-size: 0.85rem; color: var(--cma-muted); }
.fig-conflict-sides { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 0 16px; }
#figures-table .virtual-row, #figures-table table { font-family: var(--font) !important; font-size: 0.84rem !important; }
#figures-table [role=gridcell] span { overflow-wrap: normal !important; word-break: normal !important; }
#figures-table [role=gridcell][data-col="7"] span { white-space: nowrap; }
#figure-source .src-card, #figures-conflicts .src-card { padding-left: 0; padding-right: 0; }
#figure-source .src-title, #figures-conflicts .src-title, #figures-conflicts h4 { text-align: left !important; }
"""
EMPTY_SOURCE = (
    '<div class="sources-empty"><p class="sources-hint">The sentence behind a figure</p>'
    "<p>Click a row of the table to read the sentence it comes from, highlighted in its article.</p></div>"
)


# ---- facts as rows, choices and charts (no Gradio) ----------------------------------------------


def period_key(fact: dict[str, Any]) -> tuple[str, str, str]:
    """Sort key: periods in time order (start, then end), facts without a period last."""
    return (fact.get("period_start") or "9999", fact.get("period_end") or "9999", fact.get("period") or "")


def _who(f: dict[str, Any]) -> str:
    """The entity a fact is drawn under: one name for all its spellings ("AWS", "Amazon Web Services")."""
    return str(f.get("entity_group") or f.get("entity") or "")


def choices(facts: Sequence[dict[str, Any]]) -> dict[str, list[str]]:
    """The values each filter offers: entities, metrics and scopes alphabetically, periods in time order."""
    def names(key: str) -> list[str]:
        return sorted({str(f[key]) for f in facts if f.get(key)}, key=str.casefold)

    periods = {f["period"]: period_key(f) for f in sorted(facts, key=period_key, reverse=True) if f.get("period")}
    return {
        "entity": names("entity_group") or names("entity"),
        "metric": names("metric"),
        "period": sorted(periods, key=lambda p: periods[p]),
        "scope": names("scope"),
    }


def conflicting(conflicts: Iterable[dict[str, Any]]) -> set[str]:
    """Ids of the facts some other source contradicts."""
    return {fid for c in conflicts for fid in c.get("facts", ())}


def table(facts: Sequence[dict[str, Any]], conflicts: Sequence[dict[str, Any]]) -> Styler:
    """The facts as table rows (the value as written; a contradicted one marked and shaded)."""
    import pandas as pd

    marked = conflicting(conflicts)
    rows = [
        [
            f.get("entity") or "", f.get("metric") or "",
            (CONFLICT_MARK if f.get("id") in marked else "") + str(f.get("figure") or ""),
            f.get("period") or "", f.get("scope") or "", f.get("measured_by") or "", f.get("source") or "",
            f.get("date") or "",
        ]
        for f in facts
    ]
    frame = pd.DataFrame(rows, columns=HEADERS, dtype="object")
    shade = [CONFLICT_STYLE if f.get("id") in marked else "" for f in facts]
    return frame.style.apply(lambda row: [shade[row.name]] * len(row), axis=1)


# Tableau 10: distinct hues, readable as thin outlines on white and on the dark theme.
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#59a14f", "#b07aa1", "#76b7b2", "#9c755f", "#ff9da7")
MAX_SERIES = len(PALETTE)  # more colours than this no one tells apart: the entities with most figures are drawn


@dataclass(frozen=True)
class Chart:
    """What a native plot draws: ``frame`` has one row per fact (x, value, series and tooltip columns)."""

    frame: pd.DataFrame
    x: str  # "Period" or "Entity"
    color: str  # the series column
    order: list[str]  # x values in reading order
    colors: dict[str, str]  # series -> colour, in legend order
    title: str
    y_title: str
    y_lim: list[float | None]
    left_out: int = 0  # facts of the metric not drawn: another scope, no period, beyond MAX_SERIES entities


def pick(facts: Sequence[dict[str, Any]], metric: str | None = None, scope: str | None = None) -> tuple[str, str, str] | None:
    """The (metric, unit, scope) a chart shows: the filtered ones where given, else the most common
    among facts with a value (a global share and a share of China are not one series)."""
    counts = Counter(
        (f["metric"], f.get("unit") or "", f.get("scope") or "") for f in facts
        if f.get("value") is not None and f.get("metric") and (not metric or f["metric"] == metric)
    )
    if not counts:
        return None
    name, unit, _ = counts.most_common(1)[0][0]
    if scope:
        return name, unit, scope
    scopes = Counter({key[2]: n for key, n in counts.items() if key[:2] == (name, unit)})
    return name, unit, scopes.most_common(1)[0][0]


def _scale(unit: str, values: Sequence[float]) -> tuple[float, str]:
    """Divisor and unit label for the y axis: large amounts in millions or billions."""
    top = max((abs(v) for v in values), default=0)
    if unit in ("%", "pp"):
        return 1.0, unit
    for divisor, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if top >= divisor:
            return divisor, f"{unit} {word}".strip()
    return 1.0, unit


def written(value: float, unit: str) -> str:
    """A value with its unit, as a reader writes it ("30%", "USD 99 billion", "12 data centres")."""
    if unit in ("%", "pp"):
        return f"{value:g}{unit}"
    divisor, label = _scale(unit, [value])
    amount = f"{value / divisor:g} {label.removeprefix(unit).strip()}".strip()
    return f"{unit} {amount}" if unit.isupper() and len(unit) == 3 else f"{amount} {unit}".strip()


def chart(
    facts: Sequence[dict[str, Any]], metric: str | None = None, scope: str | None = None, *, answer: bool = False
) -> Chart | None:
    """Value by period, one series per entity (and per analyst firm when an entity's figures come from
    several), when the facts span two periods or more; else value by entity, coloured by who measured
    it. Only facts of one metric, unit and scope; each fact one point (never summed or averaged).
    With ``answer``, None unless two periods or two entities are compared."""
    import pandas as pd

    picked = pick(facts, metric, scope)
    if picked is None:
        return None
    name, unit, where = picked
    same = [f for f in facts if f.get("metric") == name and (f.get("unit") or "") == unit and f.get("value") is not None]
    drawn = [f for f in same if (f.get("scope") or "") == where]
    periods = {f["period"] for f in drawn if f.get("period")}
    entities = {_who(f) or "" for f in drawn}
    if answer and len(periods) < 2 and len(entities) < 2:
        return None
    by_period = len(periods) >= 2
    if by_period:
        drawn = [f for f in drawn if f.get("period")]
    firms: dict[str, set[str]] = {}
    for f in drawn:
        firms.setdefault(_who(f) or "", set()).add(f.get("measured_by") or "")

    def series(f: dict[str, Any]) -> str:
        entity = _who(f) or "(unnamed)"
        if len(firms[_who(f) or ""]) > 1:
            return f"{entity} · {f.get('measured_by') or 'not attributed'}"
        return entity

    # One colour per series: the series (by period) or analyst firms (by entity) with most figures.
    key = series if by_period else (lambda f: f.get("measured_by") or "not attributed")
    top = {k for k, _ in Counter(map(key, drawn)).most_common(MAX_SERIES)}
    drawn = sorted((f for f in drawn if key(f) in top), key=period_key)

    divisor, unit_label = _scale(unit, [float(f["value"]) for f in drawn])
    frame = pd.DataFrame(
        [
            [f.get("period") or "", _who(f) or "(unnamed)", round(float(f["value"]) / divisor, 6), series(f),
             f.get("measured_by") or "not attributed", f.get("figure") or "", f.get("source") or ""]
            for f in drawn
        ],
        columns=["Period", "Entity", "value", "Series", "Measured by", "Figure", "Source"],
    )
    if by_period:
        x, color = "Period", "Series"
        order = list(dict.fromkeys(frame["Period"]))
    else:  # the largest first
        x, color = "Entity", "Measured by"
        order = list(frame.groupby("Entity", sort=False)["value"].max().sort_values(ascending=False, kind="stable").index)
    keys = list(dict.fromkeys(frame[color]))
    colors = {key: PALETTE[k % len(PALETTE)] for k, key in enumerate(keys)}
    values = frame["value"]
    low, high = min(0.0, float(values.min())), max(0.0, float(values.max()))
    pad = (high - low) * 0.12 or 1.0  # room above the highest point, so none sits on the frame
    label = name[:1].upper() + name[1:]
    place = f", {where}" if where else ""
    when = "" if by_period or len(periods) != 1 else f", {next(iter(periods))}"
    return Chart(
        frame=frame, x=x, color=color, order=order, colors=colors,
        title=f"{label} ({unit_label}){place}{when}" if unit_label else f"{label}{place}{when}",
        y_title=f"{name} ({unit_label})" if unit_label else name,
        y_lim=[low - pad if low < 0 else 0.0, high + pad], left_out=len(same) - len(drawn),
    )


def legend(found: Chart | None) -> str:
    """The chart's series as coloured labels that wrap on a narrow screen (Vega's own legend is one
    row, cut off), and how many figures of the metric are not drawn."""
    if found is None:
        return ""
    items = "".join(
        f'<span class="fig-key"><i style="border-color: {colour}"></i>{esc(key)}</span>'
        for key, colour in found.colors.items()
    )
    if found.color == "Measured by":
        items = f'<span class="fig-note-title">Measured by:</span>{items}'
    note = (
        f'<span class="fig-note">{found.left_out} more figure{"s" if found.left_out != 1 else ""} of this metric '
        "not drawn (another scope, no period, or beyond the entities with most figures): filter to see them.</span>"
        if found.left_out else ""
    )
    return f'<div class="fig-legend-keys" data-series="{len(found.colors)}">{items}{note}</div>'


def citation(fact: dict[str, Any], n: int) -> Citation:
    """A fact's sentence as a citation, for the chat's source card."""
    return Citation(
        n=n, source=fact["source"], title=fact.get("title") or fact["source"], date=fact.get("date"),
        publisher=fact.get("publisher"), url=fact.get("url"), quote=fact["quote"], start=int(fact["start"]),
        end=int(fact["end"]),
    )


def fact_line(fact: dict[str, Any], contradicted: bool = False) -> str:
    """One fact as a line: who, the figure, what, and its period, scope and analyst as tags."""
    tags = [fact.get("period"), fact.get("scope"), fact.get("measured_by") and f"by {fact['measured_by']}"]
    html = "".join(f'<span class="fig-tag">{esc(t)}</span>' for t in tags if t)
    if fact.get("forecast"):
        html += '<span class="fig-tag">forecast</span>'
    if contradicted:
        html += '<span class="fig-tag warn">another source differs</span>'
    return (
        f'<p class="fig-fact"><b>{esc(fact.get("entity"))}</b> · {esc(fact.get("metric"))} '
        f'<b>{esc(fact.get("figure"))}</b><br>{html}</p>'
    )


def fact_source(fact: dict[str, Any], texts: Sequence[str], metas: Sequence[dict[str, Any]], contradicted: bool = False) -> str:
    """The panel a row opens: the fact, then its sentence highlighted in its paragraph."""
    return f'<div class="fig-source">{fact_line(fact, contradicted)}{source_card([citation(fact, 1)], 0, texts, metas)}</div>'


def conflicts_html(
    conflicts: Sequence[dict[str, Any]], facts: Sequence[dict[str, Any]], texts: Sequence[str],
    metas: Sequence[dict[str, Any]],
) -> str:
    """Each conflict: what the sources disagree on, and every side's sentence with its citation."""
    if not conflicts:
        return '<p class="fig-legend">No two sources disagree on a figure in this selection.</p>'
    by_id = {f.get("id"): f for f in facts}
    parts = []
    for k, c in enumerate(conflicts, start=1):
        sides = sorted((by_id[fid] for fid in c.get("facts", ()) if fid in by_id),
                       key=lambda f: (f.get("value") or 0, f.get("date") or ""))
        what = " · ".join(esc(x) for x in (c.get("entity"), c.get("metric"), c.get("period"), c.get("scope")) if x)
        figures = " vs ".join(dict.fromkeys(esc(f.get("figure")) for f in sides)) or esc(" vs ".join(
            written(v, c.get("unit") or "") for v in c.get("values", ())))  # its facts are past ROW_LIMIT
        # Ids must differ from the chat's cite-{turn}-{n} and between conflicts: turn -k.
        cards = "".join(
            f'<div class="fig-side" data-fact="{esc(f.get("id"))}"><p class="fig-side-figure"><b>{esc(f.get("figure"))}</b>'
            f'{" · " + esc(f["measured_by"]) if f.get("measured_by") else ""}</p>'
            f"{source_card([citation(f, n)], -k, texts, metas)}</div>"
            for n, f in enumerate(sides, start=1)
        )
        parts.append(
            f'<section class="fig-conflict"><h4>{what}: {figures}</h4>'
            f'<div class="fig-conflict-sides">{cards}</div></section>'
        )
    return f'<div class="fig-conflicts">{"".join(parts)}</div>'


def summary(result: dict[str, Any]) -> str:
    def count(n: int, noun: str) -> str:
        return f"<b>{n:,}</b> {noun}{'s' if n != 1 else ''}"

    shown, total = len(result["facts"]), int(result.get("count", len(result["facts"])))
    conflicts = count(len(result["conflicts"]), "conflict")
    if shown < total:
        return f'<div class="fig-summary">{count(total, "figure")} · {conflicts} · the first {shown:,} shown: ' \
            "filter to narrow</div>"
    sources = len({f.get("source") for f in result["facts"]})
    return f'<div class="fig-summary">{count(total, "figure")} from {count(sources, "article")} · {conflicts}</div>'


# ---- Gradio -----------------------------------------------------------------------------------


def plot_update(found: Chart | None) -> Any:
    """A ScatterPlot update drawing ``found`` (its legend is :func:`legend`), or hiding the plot."""
    if found is None:
        return gr.ScatterPlot(value=None, visible=False)
    return gr.ScatterPlot(
        value=found.frame, x=found.x, y="value", color=found.color, title=found.title, x_title=found.x,
        y_title=found.y_title, color_map=found.colors, colors_in_legend=[], sort=found.order, y_lim=found.y_lim,
        x_label_angle=-40 if len(found.order) > 3 else 0,  # labels side by side overlap on a phone
        tooltip=["Entity", "Series", "Period", "Figure", "Measured by", "Source"], visible=True,
    )


def build_tab(assistant: Assistant, tab: Any) -> None:
    """The contents of the Figures tab (call inside ``with gr.Tab(...) as tab``), with its events: the
    filters and the Refresh button redraw it, opening the tab redraws it when the documents changed,
    a click on a row opens the row's sentence."""
    gr.HTML(
        f"<style>{FIGURES_CSS}</style>"
        f'<p class="fig-legend">Every figure the articles state, as data. {esc(CONFLICT_MARK.strip())} marks a figure '
        "another source gives differently for the same entity, metric, period and scope.</p>",
        js_on_load=None,
    )
    with gr.Row(equal_height=True, elem_id="figures-filters"):
        boxes = [
            gr.Dropdown([("All", "")], value="", label=label, elem_id=f"fig-{key}", allow_custom_value=True, min_width=150)
            for key, label in zip(FILTERS, ("Entity", "Metric", "Period", "Scope"), strict=True)
        ]
        refresh_button = gr.Button("Refresh", size="sm", variant="secondary", elem_id="fig-refresh", min_width=90, scale=0)
    summary_html = gr.HTML("", elem_id="figures-summary", js_on_load=None)
    state = gr.State({"generation": None, "rows": []})
    with gr.Row(equal_height=False):
        with gr.Column(scale=9, min_width=340):
            # Widths in pixels: on a phone the table scrolls sideways inside itself, entities pinned.
            grid = gr.Dataframe(
                value=None, headers=HEADERS, interactive=False, wrap=True, elem_id="figures-table", max_height=600,
                show_label=False, pinned_columns=1, column_widths=[104, 92, 78, 82, 62, 100, 130, 90],
            )
        with gr.Column(scale=5, min_width=300):
            plot = gr.ScatterPlot(
                x="Period", y="value", elem_id="figures-chart", height=340, show_label=False, visible=False,
                buttons=["fullscreen"],
            )
            keys = gr.HTML("", elem_id="figures-chart-legend", js_on_load=None, padding=False)
            source = gr.HTML(EMPTY_SOURCE, elem_id="figure-source", js_on_load=None)
    gr.Markdown("### Conflicts")
    conflicts = gr.HTML("", elem_id="figures-conflicts", js_on_load=None)
    outputs = [*boxes, summary_html, grid, plot, keys, source, conflicts, state]

    offered: dict[Any, dict[str, list[str]]] = {}  # the filters' choices, for the newest generation only

    def draw(values: Sequence[str], kept: dict[str, Any] | None, force: bool) -> list[Any]:
        snapshot = assistant.searcher.snapshot()
        if not force and kept and kept.get("generation") == snapshot.generation:
            return [gr.skip()] * len(outputs)  # the documents have not changed since the tab was drawn
        if snapshot.generation not in offered:
            offered.clear()
            offered[snapshot.generation] = choices(assistant.facts()["facts"])
        options = offered[snapshot.generation]
        asked = {k: (v or "").strip() for k, v in zip(FILTERS, values, strict=True)}  # typed names match loosely too
        result = assistant.facts(
            entity=asked["entity"] or None, metric=asked["metric"] or None, period=asked["period"] or None,
            scope=asked["scope"] or None, limit=ROW_LIMIT,
        )
        rows = result["facts"]
        found = chart(rows, asked["metric"] or None, asked["scope"] or None)
        return [
            *(gr.Dropdown(choices=[("All", ""), *((v, v) for v in options[k])], value=asked[k]) for k in FILTERS),
            summary(result),
            table(rows, result["conflicts"]),
            plot_update(found),
            legend(found),
            EMPTY_SOURCE,
            conflicts_html(result["conflicts"], rows, snapshot.texts, snapshot.metas),
            {"generation": snapshot.generation, "rows": rows, "conflicts": sorted(conflicting(result["conflicts"]))},
        ]

    def refresh(entity: str, metric: str, period: str, scope: str, kept: dict[str, Any] | None) -> list[Any]:
        return draw((entity, metric, period, scope), kept, force=True)

    def if_changed(entity: str, metric: str, period: str, scope: str, kept: dict[str, Any] | None) -> list[Any]:
        return draw((entity, metric, period, scope), kept, force=False)

    def open_row(kept: dict[str, Any] | None, event: gr.SelectData) -> Any:
        kept = kept or {}
        rows = kept.get("rows", [])
        row = event.index[0] if isinstance(event.index, list | tuple) else event.index
        if not isinstance(row, int) or not 0 <= row < len(rows):
            return gr.skip()  # a header, not a row
        fact = rows[row]  # the index is the row's place in the data, however the table is sorted
        snapshot = assistant.searcher.snapshot()
        return fact_source(fact, snapshot.texts, snapshot.metas, fact.get("id") in set(kept.get("conflicts", ())))

    inputs = [*boxes, state]
    events: dict[str, Any] = {"api_visibility": PRIVATE, "concurrency_id": "figures"}
    refresh_button.click(refresh, inputs, outputs, **events)
    for box in boxes:
        box.input(refresh, inputs, outputs, **events)
    grid.select(open_row, state, source, **events).then(
        None, None, None, js="() => document.querySelector('#figure-source')?.scrollIntoView({block: 'nearest'})"
    )
    tab.select(if_changed, inputs, outputs, **events)


# ---- the chart under a chat answer ------------------------------------------------------------


def answer_components() -> list[Any]:
    """The small chart of an answer's figures and its legend (hidden until an answer cites comparable figures)."""
    return [
        gr.ScatterPlot(x="Entity", y="value", elem_id="answer-chart", height=210, show_label=False, visible=False,
                       buttons=["fullscreen"]),
        gr.HTML("", elem_id="answer-chart-legend", js_on_load=None, visible=False, padding=False),
    ]


def answer_chart(assistant: Assistant, records: Sequence[dict[str, Any]] | None) -> list[Any]:
    """For the newest answer: the facts its citations hold, drawn when they compare one metric across
    periods or entities; else the chart hidden."""
    newest = max(records or [], key=lambda r: r["turn"], default=None)
    if not newest or newest.get("abstained") or not newest.get("citations"):
        return hidden_chart()
    found = chart(assistant.facts_in(newest["citations"]), answer=True)
    # The tab's CSS travels with the legend: the Figures tab is not in the page until it is opened.
    return [plot_update(found), gr.HTML(f"<style>{FIGURES_CSS}</style>{legend(found)}", visible=found is not None)]


def hidden_chart() -> list[Any]:
    return [plot_update(None), gr.HTML("", visible=False)]
