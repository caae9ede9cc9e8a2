"""Tables from result files, next to the papers' numbers.

:func:`load_results` reads every result JSON of a sweep into one row each (a file that cannot
be read is reported with a warning, never used). The table functions summarise over seeds —
mean ± std **and** max, because both papers report the best of their seeds — and put the
papers' numbers (``paper_tables.csv``, copied from STIENet Tables 2–3 and SATNMF Table 3)
in clearly labelled columns. Values are percent, like the papers'. Used by the results
chapters (``notebooks/07``–``11``) and ``python -m stienet report``.
"""
from __future__ import annotations

import json
import warnings
from importlib import resources
from pathlib import Path

import pandas as pd

from .metrics import collapsed
from .paths import atomic_write_bytes

METRICS = ("OS", "OS*", "UNK", "H", "AUROC", "UAR", "WAR")


def paper_numbers(paper: str | None = None) -> pd.DataFrame:
    """The papers' result tables as rows (paper, table, method, pair, metric, percent)."""
    with resources.files("stienet").joinpath("paper_tables.csv").open() as fh:
        table = pd.read_csv(fh, comment="#")
    return table if paper is None else table[table["paper"] == paper].reset_index(drop=True)


def load_results(out="results", data: str = "synthetic", sweep: str | None = None) -> pd.DataFrame:
    """One row per result file below ``<out>/<data>[/<sweep>]``: sweep, method, source,
    target, pair, seed, tag, epochs, metrics (percent), wall time, path."""
    root = Path(out) / data / (sweep or "")
    rows, bad = [], []
    for path in sorted(root.rglob("*.json")):
        if path.parent.name == "report":
            continue
        try:
            rec = json.loads(path.read_text())
            metrics = rec["metrics"]
        except (json.JSONDecodeError, KeyError, TypeError, UnicodeDecodeError) as exc:
            bad.append(f"{path}: {type(exc).__name__}")
            continue
        row = {"sweep": rec.get("sweep", ""), "method": rec["method"], "source": rec["source"],
               "target": rec["target"], "pair": f"{rec['source']}_{rec['target']}",
               "seed": rec["seed"], "tag": rec.get("tag", ""), "data": rec["data"],
               "epochs": rec.get("epochs"), "wall_time_s": rec.get("wall_time_s"),
               "path": str(path)}
        for m in METRICS:
            v = metrics.get(m)
            row[m] = None if v is None else 100.0 * v
        # an explicit None: a method without STIENet's presets (baselines); missing: older records
        row["preset"] = ((rec["preset"] or "") if "preset" in rec
                         else rec.get("hyperparameters", {}).get("preset", ""))
        # synthetic results from before the field existed were all made by generator version 1
        row["generator"] = rec.get("generator_version", 1 if rec["data"] == "synthetic" else None)
        cm = metrics.get("confusion")
        # degenerate: known-class target clips get <= 1 label, or one label covers > 90 %
        row["collapsed"] = bool(cm) and "OS" in metrics and \
            bool(metrics.get("collapsed", collapsed(cm, len(cm) - 1)))     # open-set runs only
        rows.append(row)
    if bad:
        warnings.warn(f"{len(bad)} unreadable result file(s) left out: " + "; ".join(bad[:5]),
                      stacklevel=2)
    return pd.DataFrame(rows)


def over_seeds(df: pd.DataFrame, by: list[str], metrics) -> pd.DataFrame:
    """mean, std, max and number of seeds of each metric, grouped by ``by``; columns are
    (metric, statistic)."""
    g = df.groupby(by, sort=False)[list(metrics)]
    out = pd.concat({"mean": g.mean(), "std": g.std(ddof=1), "max": g.max()}, axis=1)
    out = out.swaplevel(0, 1, axis=1)[[(m, s) for m in metrics for s in ("mean", "std", "max")]]
    out[("seeds", "n")] = g.size()
    return out


def pm(mean, std) -> str:
    """``"mean ± std"`` with one decimal (std blank when it is undefined)."""
    if pd.isna(mean):
        return "–"
    return f"{mean:.1f}" + ("" if pd.isna(std) else f" ± {std:.1f}")


def pairs_table(df: pd.DataFrame) -> pd.DataFrame:
    """STIENet Tables 2–3 layout: per pair OS, OS*, H, UNK (and AUROC where recorded) of this
    project (mean ± std, max) next to the paper's STIENet row. One training preset per table
    (see :func:`write_report`)."""
    data = df["data"].iloc[0]
    presets = sorted(set(df["preset"].fillna(""))) if "preset" in df else [""]
    if len(presets) > 1:
        raise ValueError(f"pairs_table takes one training preset, got {presets}; filter first")
    label = f", {presets[0]} preset" if presets[0] else ""
    metrics = ("OS", "OS*", "H", "UNK") + (("AUROC",) if df["AUROC"].notna().any() else ())
    stats = over_seeds(df, ["pair"], metrics)
    n = int(stats[("seeds", "n")].min())
    ours = f"this project ({data}{label}, mean ± std of {n} seeds)"
    best = f"this project ({data}{label}, max of {n} seeds)"
    paper = paper_numbers("STIENet")
    paper = paper[paper["method"] == "STIENet"].pivot(index="pair", columns="metric",
                                                      values="percent")
    out = pd.DataFrame(index=stats.index)
    for m in metrics:
        out[(ours, m)] = [pm(a, b) for a, b in zip(stats[(m, "mean")], stats[(m, "std")])]
    out[(ours, "collapsed")] = df.groupby("pair", sort=False)["collapsed"].sum().reindex(out.index).astype(int)
    for m in ("OS", "OS*"):
        out[(best, m)] = stats[(m, "max")].round(1)
    for m in ("OS", "OS*"):
        out[("paper (real corpora, best of 10 seeds)", m)] = paper.reindex(out.index)[m]
    out.columns = pd.MultiIndex.from_tuples(out.columns)
    order = [f"{a}_{b}" for a in "BCeS" for b in "BCeS" if a != b]
    return out.reindex([p for p in order if p in out.index])


#: Row order of the methods table: the paper's Tables 2-3 order, then this project's STIENet runs.
PAPER_METHOD_ORDER = ("OSNN", "TNMF", "ATI", "LEAD", "OSBP", "DAOD", "STIENet")
PAIR_ORDER = tuple(f"{a}_{b}" for a in "BCeS" for b in "BCeS" if a != b)


def method_label(df: pd.DataFrame) -> pd.Series:
    """Row label of each result in the methods table: the method's name, STIENet's with its
    training preset (``STIENet (open)``)."""
    preset = df["preset"].fillna("") if "preset" in df else pd.Series("", index=df.index)
    return df["method"].where(df["method"] != "STIENet", "STIENet (" + preset + ")")


def methods_table(df: pd.DataFrame, metrics=("OS*", "UNK", "H"), stat: str = "mean") -> pd.DataFrame:
    """Tables 2–3 side by side: one row per method (STIENet once per preset), one column per
    (pair, metric), ``stat`` (mean or max) over seeds, percent; plus the mean over pairs and the
    median wall time per run. The paper's numbers: :func:`paper_methods_table`."""
    df = df.assign(label=method_label(df))
    stats = over_seeds(df, ["label", "pair"], metrics)
    out = {}
    for m in metrics:
        wide = stats[(m, stat)].unstack("pair")
        wide = wide[[p for p in PAIR_ORDER if p in wide.columns]]
        for pair in wide.columns:
            out[(pair, m)] = wide[pair]
        out[("mean", m)] = wide.mean(axis=1)
    table = pd.DataFrame(out)
    table = table[[c for c in table.columns if c[0] != "mean"] + [c for c in table.columns if c[0] == "mean"]]
    table[("wall s", "median")] = df.groupby("label")["wall_time_s"].median()
    order = [lab for m in PAPER_METHOD_ORDER for lab in table.index if lab == m or lab.startswith(m + " (")]
    table = table.reindex(order + [lab for lab in table.index if lab not in order]).round(1)
    table.index.name = "method"
    return table


def paper_methods_table(metrics=("OS", "OS*")) -> pd.DataFrame:
    """The STIENet paper's Tables 2–3 (real corpora, best of 10 seeds): methods × (pair, metric)."""
    paper = paper_numbers("STIENet")
    paper = paper[paper["metric"].isin(metrics)]
    wide = paper.pivot_table(index="method", columns=["pair", "metric"], values="percent")
    cols = [(p, m) for p in PAIR_ORDER for m in metrics if (p, m) in wide.columns]
    wide = wide[cols]
    for m in metrics:
        wide[("mean", m)] = wide.xs(m, axis=1, level=1).mean(axis=1)
    return wide.reindex([m for m in PAPER_METHOD_ORDER if m in wide.index]).round(2)


def config_table(df: pd.DataFrame, by: str = "tag", metrics=("OS", "OS*", "H", "UNK"),
                 best=("OS", "OS*")) -> pd.DataFrame:
    """Ablation / sensitivity layout: one row per configuration, mean ± std of ``metrics``
    (default OS, OS*, H, UNK) and max of ``best`` over seeds."""
    stats = over_seeds(df, [by], metrics)
    data, n = df["data"].iloc[0], int(stats[("seeds", "n")].min())
    out = pd.DataFrame(index=stats.index)
    for m in metrics:
        out[f"{m} ({data}, mean ± std of {n})"] = [pm(a, b) for a, b in
                                                   zip(stats[(m, "mean")], stats[(m, "std")])]
    for m in best:
        out[f"{m} (max)"] = stats[(m, "max")].round(1)
    out["collapsed runs"] = df.groupby(by, sort=False)["collapsed"].sum().reindex(out.index).astype(int)
    return out


def shift_table(df: pd.DataFrame) -> pd.DataFrame:
    """Shift sweep: one row per shift and method. Open-set runs (STIENet, source-only) report
    OS, OS*, H, UNK; closed-set runs (SVM, SATNMF: no OS in their records) report UAR, WAR over
    the closed-set classes. Each row shows the metrics of its own protocol and "–" for the
    others (an open-set run's UAR counts "unknown" as a class, so it is left out here)."""
    df = df.copy()
    df.loc[df["OS"].notna(), ["UAR", "WAR"]] = None
    table = config_table(df.assign(tag=df["tag"] + " " + df["method"]),
                         metrics=("OS", "OS*", "H", "UNK", "UAR", "WAR"), best=("OS", "OS*", "UAR"))
    for col in ("OS (max)", "OS* (max)", "UAR (max)"):
        table[col] = [("–" if pd.isna(v) else f"{v:.1f}") for v in table[col]]
    return table


def satnmf_table(df: pd.DataFrame) -> pd.DataFrame:
    """SATNMF Table 3 layout: per scheme and method, UAR and WAR (mean ± std over seeds) of
    this project, and the paper's where it reports that method."""
    data = df["data"].iloc[0]
    stats = over_seeds(df, ["tag", "method"], ("UAR", "WAR"))
    n = int(stats[("seeds", "n")].min())
    paper = paper_numbers("SATNMF").copy()
    paper["method"] = paper["method"].str.replace("+SVM", "", regex=False)
    paper = paper.pivot_table(index=["pair", "method"], columns="metric", values="percent")
    out = pd.DataFrame(index=stats.index)
    for m in ("UAR", "WAR"):
        out[f"{m} ({data}, mean ± std of {n})"] = [pm(a, b) for a, b in
                                                   zip(stats[(m, "mean")], stats[(m, "std")])]
    for m in ("UAR", "WAR"):
        out[f"{m} paper (real corpora)"] = [paper[m].get(key, float("nan")) for key in out.index]
    out.index.names = ["scheme", "method"]
    from .data import SCHEMES
    from .experiments import SATNMF_METHODS

    order = [(s, m) for s in SCHEMES for m in SATNMF_METHODS]
    return out.reindex([k for k in order if k in out.index] + [k for k in out.index if k not in order])


def markdown(table: pd.DataFrame, title: str) -> str:
    flat = table.copy()
    if isinstance(flat.columns, pd.MultiIndex):
        flat.columns = [" / ".join(c) for c in flat.columns]
    return f"## {title}\n\n" + flat.to_markdown() + "\n"


def write_report(out="results", data: str = "synthetic") -> list[Path]:
    """CSV + Markdown of every sweep found below ``<out>/<data>``, into ``<out>/<data>/report``."""
    made = []
    target = Path(out) / data / "report"
    builders = {"pairs": pairs_table, "ablation": config_table, "sensitivity": config_table,
                "satnmf": satnmf_table, "shift": shift_table, "open-ablation": config_table}
    for sweep, build in builders.items():
        df = load_results(out, data, sweep)
        if df.empty:
            continue
        parts = [(sweep, df, build)]
        if sweep == "pairs":
            # STIENet: one table per training preset (pairs_paper.md, pairs_open.md); with
            # baselines, all methods side by side (pairs_methods.md) and the paper's (pairs_methods_paper.md)
            ours = df[df["method"] == "STIENet"]
            parts = [(f"{sweep}_{p}" if p else sweep, ours[ours["preset"].fillna("") == p], build)
                     for p in sorted(set(ours["preset"].fillna("")))]
            if (df["method"] != "STIENet").any():
                parts += [("pairs_methods", df, methods_table),
                          ("pairs_methods_paper", df, lambda _: paper_methods_table())]
        for name, part, make in parts:
            table = make(part)
            for suffix, text in ((".csv", table.to_csv()), (".md", markdown(table, f"{name} ({data})"))):
                path = target / f"{name}{suffix}"
                atomic_write_bytes(path, text.encode())
                made.append(path)
    return made
