"""Summaries of a run: median and p95 per figure, the targets, ratios to the peers, as Markdown and JSON."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Target:
    """A figure of issue 6: which statistic must stay at or under ``limit`` (seconds or MB)."""

    figure: str
    statistic: str  # "median", "p95" or "max"
    limit: float
    unit: str = "s"

    def describe(self) -> str:
        value = f"{self.limit * 1000:g} ms" if self.unit == "s" and self.limit < 1 else f"{self.limit:g} {self.unit}"
        return f"{self.statistic} ≤ {value}"


# figure name in the table -> where it comes from: (section, names whose samples are pooled)
FIGURES: dict[str, tuple[str, tuple[str, ...]]] = {
    "start to first full frame (metrics + first page)": ("start", ("to_first_full_frame_s",)),
    "search keystroke → matches shown (from the filter applied)": ("console", ("search keystroke (from the filter applied)",)),
    "search keystroke → matches shown (typed)": ("console", ("search keystroke (typed)",)),
    "any single filter change → rows shown": ("console", ("filter: *",)),
    "PageDown → rows shown": ("console", ("PageDown",)),
    "jump to end (End) → rows shown": ("console", ("jump to end (End)",)),
    "sort by another column (s) → rows shown": ("console", ("sort by another column (s)",)),
    "count shown after a filter change": ("console", ("count shown (after a filter change)",)),
    "cursor key while a count runs": ("console", ("cursor key while counting",)),
    "cursor key: no frame within 10 s (misses)": ("console", ("cursor key: no frame showed the move within 10 s",)),
    "metrics bar refresh (poll → frame)": ("console", ("metrics refresh (poll: metrics + counts + visible rows)",)),
    "store: metrics()": ("store", ("metrics()",)),
    "store: transfer (routing + audit event)": ("store", ("transfer (routing + audit event)",)),
    "store: search keystroke, first page": ("store", ("search keystroke: first page",)),
    "store: filter change, first page": ("store", ("filter: first page",)),
    "store: count, per filter": ("store", ("count: per filter",)),
    "store: count, search": ("store", ("count: search",)),
    "store: PageDown page": ("store", ("list: PageDown pages",)),
    "store: last page (jump to end)": ("store", ("list: last page (jump to end)",)),
    "store: last page, first read after a change": ("store", ("list: last page, first read after a change",)),
    "store: sort, first page": ("store", ("sort: first page",)),
    "store: sort, last page": ("store", ("sort: last page",)),
    "console peak RSS": ("rss", ("peak_rss_mb",)),
    "chatadmin demo (build of this store)": ("demo", ("demo_build_s",)),
}

TARGETS: dict[str, Target] = {
    t.figure: t
    for t in (
        Target("start to first full frame (metrics + first page)", "median", 1.0),
        Target("search keystroke → matches shown (from the filter applied)", "p95", 0.05),
        Target("search keystroke → matches shown (typed)", "p95", 0.05),
        Target("any single filter change → rows shown", "p95", 0.05),
        Target("PageDown → rows shown", "p95", 0.05),
        Target("jump to end (End) → rows shown", "p95", 0.05),
        Target("sort by another column (s) → rows shown", "p95", 0.05),
        Target("count shown after a filter change", "p95", 0.3),
        Target("metrics bar refresh (poll → frame)", "p95", 0.05),
        Target("store: metrics()", "p95", 0.05),
        Target("store: transfer (routing + audit event)", "p95", 0.02),
        Target("console peak RSS", "max", 200, "MB"),
        Target("chatadmin demo (build of this store)", "max", 180),
    )
}

# peer figure -> our figure, for the ours/theirs ratios
PEER_FIGURES = {
    "start to first full frame": ("start", "start to first full frame (metrics + first page)"),
    "PageDown": ("PageDown", "PageDown → rows shown"),
    "jump to end (End)": ("jump to end (End)", "jump to end (End) → rows shown"),
    "sort by another column": ("sort by another column (s)", "sort by another column (s) → rows shown"),
    "peak RSS": ("peak_rss_mb", "console peak RSS"),
}


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest sample with at least ``fraction`` of them at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summarize(values: Iterable[float]) -> dict[str, float] | None:
    samples = list(values)
    if not samples:
        return None
    return {
        "n": len(samples),
        "median": statistics.median(samples),
        "p95": percentile(samples, 0.95),
        "min": min(samples),
        "max": max(samples),
    }


def pooled(section: Mapping[str, list[float]], names: tuple[str, ...]) -> list[float]:
    samples: list[float] = []
    for name in names:
        if name.endswith("*"):
            prefix = name[:-1]
            for key, values in section.items():
                if key.startswith(prefix) and not key.endswith("(from the filter applied)"):
                    samples += values
        else:
            samples += section.get(name, [])
    return samples


def figures_of(run: Mapping[str, Any]) -> dict[str, dict[str, float] | None]:
    """The table's figures for one store (one back end and size) from its raw samples."""
    sections = {
        "start": {"to_first_full_frame_s": [s["to_first_full_frame_s"] for s in run.get("starts", [])]},
        "console": run.get("console", {}).get("figures", {}),
        "store": run.get("store", {}).get("figures", {}),
        "rss": {
            "peak_rss_mb": [r for r in (run.get("console", {}).get("peak_rss_mb"),) if r is not None]
            + [s["peak_rss_mb"] for s in run.get("starts", [])]
        },
        "demo": {"demo_build_s": [run["demo_build_s"]] if run.get("demo_build_s") else []},
    }
    return {name: summarize(pooled(sections[section], names)) for name, (section, names) in FIGURES.items()}


def verdict(figure: str, summary: dict[str, float] | None) -> str:
    target = TARGETS.get(figure)
    if target is None or summary is None:
        return ""
    return "met" if summary[target.statistic] <= target.limit else "**missed**"


def _fmt(value: float, unit: str) -> str:
    if unit == "MB":
        return f"{value:.0f} MB"
    if value >= 1:
        return f"{value:.2f} s"
    return f"{value * 1000:.1f} ms"


def cell(summary: dict[str, float] | None, unit: str) -> str:
    if summary is None:
        return "—"
    return f"{_fmt(summary['median'], unit)} / {_fmt(summary['p95'], unit)}"


def markdown_table(runs: Mapping[str, Mapping[str, Any]], order: list[str]) -> str:
    """One table: a row per figure, a column per store (median / p95), the target and how the largest store fared."""
    summaries = {key: figures_of(runs[key]) for key in order}
    largest = {backend: max((k for k in order if k.startswith(backend)), key=lambda k: runs[k]["size"], default=None)
               for backend in ("sqlite", "postgres")}
    header = ["figure", *[label(runs[k]) for k in order], "target"]
    header += [f"{label(runs[k])} vs target" for k in largest.values() if k]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for figure in FIGURES:
        unit = "MB" if figure == "console peak RSS" else "s"
        target = TARGETS.get(figure)
        row = [figure, *[cell(summaries[k][figure], unit) for k in order], target.describe() if target else ""]
        row += [verdict(figure, summaries[k][figure]) for k in largest.values() if k]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def backend_ratio_table(runs: Mapping[str, Mapping[str, Any]]) -> str:
    """PostgreSQL over SQLite on stores of the same size, per figure (the target: within 2×)."""
    pairs = [
        (s, p)
        for s in runs.values()
        for p in runs.values()
        if s["backend"] == "sqlite" and p["backend"] == "postgres" and s["size"] == p["size"]
    ]
    if not pairs:
        return ""
    header = ["figure", *[f"{label(p)} / {label(s)} (medians)" for s, p in pairs]]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for figure, (section, _) in FIGURES.items():
        if section in ("rss", "demo"):
            continue
        cells = []
        for s, p in pairs:
            ours, theirs = figures_of(p)[figure], figures_of(s)[figure]
            cells.append(f"{ours['median'] / theirs['median']:.2f}×" if ours and theirs and theirs["median"] else "—")
        lines.append("| " + " | ".join([figure, *cells]) + " |")
    return "\n".join(lines)


def label(run: Mapping[str, Any]) -> str:
    size = run["size"]
    text = f"{size // 1_000_000}M" if size >= 1_000_000 and size % 1_000_000 == 0 else f"{size // 1000}k"
    return f"{run['backend']} {text}"


def peer_table(peers: Mapping[str, Mapping[str, Any]], runs: Mapping[str, Mapping[str, Any]]) -> str:
    """Ours beside the peers on the same rows (median; RSS: peak), with ours/theirs."""
    lines = ["| figure | peer | rows | theirs | ours | ours/theirs |", "|---|---|---|---|---|---|"]
    for peer in peers.values():
        ours = figures_of(runs[peer["compared_with"]]) if peer.get("compared_with") in runs else {}
        theirs_starts = {"start": [peer["start"]["to_first_full_frame_s"]]}
        for name, (their_key, our_figure) in PEER_FIGURES.items():
            if their_key == "start":
                theirs = summarize(theirs_starts["start"])
            elif their_key == "peak_rss_mb":
                theirs = summarize([peer["peak_rss_mb"]])
            else:
                theirs = summarize(peer["figures"].get(their_key, []))
            mine = ours.get(our_figure)
            unit = "MB" if their_key == "peak_rss_mb" else "s"
            stat = "max" if unit == "MB" else "median"
            if theirs is None:
                continue
            ratio = f"{mine[stat] / theirs[stat]:.3g}" if mine and theirs[stat] else "—"
            lines.append(
                f"| {name} | {peer['name']} | {peer['rows']:,} | {_fmt(theirs[stat], unit)} | "
                f"{_fmt(mine[stat], unit) if mine else '—'} | {ratio} |"
            )
    return "\n".join(lines)


def tables(runs: Mapping[str, Mapping[str, Any]], peers: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Every table of a run, by name: ``figures``, ``backends`` (PostgreSQL / SQLite), ``peers``."""
    return {
        "figures": markdown_table(runs, list(runs)),
        "backends": backend_ratio_table(runs),
        "peers": peer_table(peers, runs) if peers else "",
    }
