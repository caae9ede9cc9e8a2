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

from .metrics import degeneracy_modes
from .paths import atomic_write_bytes

METRICS = ("OS", "OS*", "UNK", "H", "AUROC", "closed OS*", "UAR", "WAR",
           "source_acc")   # source_acc: STIENet's eval-mode accuracy on held-out source clips


def paper_numbers(paper: str | None = None) -> pd.DataFrame:
    """The papers' result tables as rows (paper, table, method, pair, metric, percent)."""
    with resources.files("stienet").joinpath("paper_tables.csv").open() as fh:
        table = pd.read_csv(fh, comment="#")
    return table if paper is None else table[table["paper"] == paper].reset_index(drop=True)


def load_results(out="results", data: str = "synthetic", sweep: str | None = None) -> pd.DataFrame:
    """One row per result file below ``<out>/<data>[/<sweep>]``: sweep, method, source,
    target, pair, seed, tag, epochs, metrics (percent; ``source_acc`` only for the deep
    methods that hold out source clips), wall time, path."""
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
        # degenerate (open-set runs only): recomputed by today's rule, whatever the file says
        modes = degeneracy_modes(cm, len(cm) - 1, metrics.get("AUROC")) \
            if cm and "OS" in metrics else ()
        row["collapsed"], row["degenerate"] = bool(modes), ", ".join(modes)
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


NOT_REPORTED = "—"   # a cell the paper (or a protocol) has no number for


def pm(mean, std) -> str:
    """``"mean ± std"`` with one decimal (std left out when it is undefined, e.g. one seed). The
    spaces around ± are non-breaking, so a table cell never wraps inside the number."""
    if pd.isna(mean):
        return NOT_REPORTED
    return f"{mean:.1f}" + ("" if pd.isna(std) else f"\u00a0±\u00a0{std:.1f}")


def num(value, digits: int = 1) -> str:
    """A number with ``digits`` decimals, or "—" where there is none (not reported)."""
    return NOT_REPORTED if value is None or pd.isna(value) else f"{value:.{digits}f}"


def seeds(n: int) -> str:
    """How a cell summarises its seeds: "mean ± std of 2 seeds", or "1 seed"."""
    return f"mean ± std of {n} seeds" if n > 1 else "1 seed"


def pair_label(pair: str) -> str:
    """``"B_C"`` → ``"B → C"`` (source → target)."""
    return pair.replace("_", " → ")


def pairs_table(df: pd.DataFrame) -> pd.DataFrame:
    """STIENet Tables 2–3 layout: per pair (rows in the papers' order, "B → C") OS, OS*, H, UNK
    (and AUROC where recorded) of this project — mean ± std over seeds, the number of collapsed
    runs, the max over seeds when there are several — next to the paper's STIENet row. All in
    percent; one training preset per table (see :func:`write_report`)."""
    data = df["data"].iloc[0]
    presets = sorted(set(df["preset"].fillna(""))) if "preset" in df else [""]
    if len(presets) > 1:
        raise ValueError(f"pairs_table takes one training preset, got {presets}; filter first")
    label = f", {presets[0]} preset" if presets[0] else ""
    metrics = ("OS", "OS*", "H", "UNK") + (("AUROC",) if df["AUROC"].notna().any() else ())
    stats = over_seeds(df, ["pair"], metrics)
    n = int(stats[("seeds", "n")].min())
    ours = f"this project ({data}{label}, {seeds(n)}, %)"
    best = f"this project (max of {n} seeds, %)"
    paper = paper_numbers("STIENet")
    paper = paper[paper["method"] == "STIENet"].pivot(index="pair", columns="metric",
                                                      values="percent")
    out = pd.DataFrame(index=stats.index)
    for m in metrics:
        out[(ours, m)] = [pm(a, b) for a, b in zip(stats[(m, "mean")], stats[(m, "std")])]
    out[(ours, "collapsed")] = df.groupby("pair", sort=False)["collapsed"].sum().reindex(out.index).astype(int)
    if n > 1:
        for m in ("OS", "OS*"):
            out[(best, m)] = [num(v) for v in stats[(m, "max")]]
    for m in ("OS", "OS*"):
        out[("paper (real corpora, best of 10 seeds, %)", m)] = [num(v, 2) for v in paper.reindex(out.index)[m]]
    out.columns = pd.MultiIndex.from_tuples(out.columns)
    out = out.reindex(in_pair_order(out.index))
    out.index = pd.Index([pair_label(p) for p in out.index], name="pair")
    return out


#: Row order of the methods table: the paper's Tables 2-3 order, then this project's STIENet runs.
PAPER_METHOD_ORDER = ("OSNN", "TNMF", "ATI", "LEAD", "OSBP", "DAOD", "STIENet")
PAIR_ORDER = tuple(f"{a}_{b}" for a in "BCeS" for b in "BCeS" if a != b)


def in_pair_order(pairs) -> list:
    """``pairs`` in the papers' order, then any others (manifest corpora such as RAVDESS) sorted."""
    pairs = list(dict.fromkeys(pairs))
    return [p for p in PAIR_ORDER if p in pairs] + sorted(p for p in pairs if p not in PAIR_ORDER)


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
        wide = wide[in_pair_order(wide.columns)]
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
    cols = [(p, m) for p in in_pair_order(wide.columns.get_level_values(0)) for m in metrics
            if (p, m) in wide.columns]
    wide = wide[cols]
    for m in metrics:
        wide[("mean", m)] = wide.xs(m, axis=1, level=1).mean(axis=1)
    return wide.reindex([m for m in PAPER_METHOD_ORDER if m in wide.index]).round(2)


def config_table(df: pd.DataFrame, by: str = "tag", metrics=("OS", "OS*", "H", "UNK"),
                 best=("OS", "OS*")) -> pd.DataFrame:
    """Ablation / sensitivity layout: one row per configuration; columns grouped under one
    header that says the data and the seeds: mean ± std of ``metrics`` (default OS, OS*, H,
    UNK; percent), the max of ``best`` over seeds (only when there are several) and the number
    of collapsed runs."""
    stats = over_seeds(df, [by], metrics)
    data, n = df["data"].iloc[0], int(stats[("seeds", "n")].min())
    ours = f"{data}, {seeds(n)} (%)"
    out = pd.DataFrame(index=stats.index)
    for m in metrics:
        out[(ours, m)] = [pm(a, b) for a, b in zip(stats[(m, "mean")], stats[(m, "std")])]
    if n > 1:
        for m in best:
            out[(f"max of {n} seeds (%)", m)] = [num(v) for v in stats[(m, "max")]]
    out[("runs", "collapsed")] = df.groupby(by, sort=False)["collapsed"].sum().reindex(out.index).astype(int)
    out.columns = pd.MultiIndex.from_tuples(out.columns)
    return out


def shift_table(df: pd.DataFrame) -> pd.DataFrame:
    """Shift sweep: one row per shift and method. Open-set runs (STIENet, source-only) report
    OS, OS*, H, UNK; closed-set runs (SVM, SATNMF: no OS in their records) report UAR, WAR over
    the closed-set classes. Each row shows the metrics of its own protocol and "—" for the
    others (an open-set run's UAR counts "unknown" as a class, so it is left out here)."""
    df = df.copy()
    df.loc[df["OS"].notna(), ["UAR", "WAR"]] = None
    return config_table(df.assign(tag=df["tag"] + " " + df["method"]),
                        metrics=("OS", "OS*", "H", "UNK", "UAR", "WAR"), best=("OS", "OS*", "UAR"))


def satnmf_table(df: pd.DataFrame) -> pd.DataFrame:
    """SATNMF Table 3 layout: per scheme (in the paper's order e2E, E2B, B2C, C2e) and method,
    UAR and WAR of this project (mean ± std over seeds, percent) and the paper's, "—" where the
    paper reports nothing for that method."""
    data = df["data"].iloc[0]
    stats = over_seeds(df, ["tag", "method"], ("UAR", "WAR"))
    n = int(stats[("seeds", "n")].min())
    paper = paper_numbers("SATNMF").copy()
    paper["method"] = paper["method"].str.replace("+SVM", "", regex=False)
    paper = paper.pivot_table(index=["pair", "method"], columns="metric", values="percent")
    ours = f"this project ({data}, {seeds(n)}, %)"
    theirs = "paper (real corpora, %)"
    out = pd.DataFrame(index=stats.index)
    for m in ("UAR", "WAR"):
        out[(ours, m)] = [pm(a, b) for a, b in zip(stats[(m, "mean")], stats[(m, "std")])]
    for m in ("UAR", "WAR"):
        out[(theirs, m)] = [num(paper[m].get(key), 2) if m in paper else NOT_REPORTED for key in out.index]
    out.columns = pd.MultiIndex.from_tuples(out.columns)
    out.index.names = ["scheme", "method"]
    from .data import ALL_SCHEMES
    from .experiments import SATNMF_METHODS

    order = [(s, m) for s in ALL_SCHEMES for m in SATNMF_METHODS]
    return out.reindex([k for k in order if k in out.index] + [k for k in out.index if k not in order])


def satnmf_oracle_table(df: pd.DataFrame) -> pd.DataFrame:
    """:func:`satnmf_table` of the ``satnmf-oracle`` sweep, its columns labelled as using
    target labels (SATNMF §3.2's grid search: best target UAR over each method's grid)."""
    table = satnmf_table(df)
    table.columns = pd.MultiIndex.from_tuples(
        [(top if top.startswith("paper") else top.replace(" (", " (oracle: uses target labels, ", 1), m)
         for top, m in table.columns])
    return table


def satnmf_source_cv_table(df: pd.DataFrame) -> pd.DataFrame:
    """:func:`satnmf_table` of the ``satnmf-source-cv`` sweep (grids chosen by leave-one-speaker-
    out on the source: no target label used)."""
    table = satnmf_table(df)
    table.columns = pd.MultiIndex.from_tuples(
        [(top if top.startswith("paper") else top.replace(" (", " (source-cv selection, ", 1), m)
         for top, m in table.columns])
    return table


def closed_set_table(fixed: pd.DataFrame, oracle: pd.DataFrame | None = None) -> pd.DataFrame:
    """SATNMF Table 3 in full: per scheme (paper order, then the average over schemes) and
    method, UAR and WAR (percent, mean over seeds) of this project with fixed hyper-parameters
    and with the paper's oracle selection (**uses target labels**), and the paper's numbers
    (real corpora, its own grid search) where it reports the method, "—" where it does not."""
    from .data import ALL_SCHEMES
    from .experiments import SATNMF_METHODS

    data = fixed["data"].iloc[0]
    parts = {f"fixed ({data})": fixed}
    if oracle is not None and not oracle.empty:
        parts[f"oracle ({data}, uses target labels)"] = oracle
    paper = paper_numbers("SATNMF").copy()
    paper["method"] = paper["method"].str.replace("+SVM", "", regex=False)
    paper = paper.pivot_table(index=["pair", "method"], columns="metric", values="percent")
    paper.index.names = ["scheme", "method"]
    cols = {}
    for m in ("UAR", "WAR"):
        for label, df in parts.items():
            cols[f"{m} {label}"] = df.groupby(["tag", "method"])[m].mean()
        cols[f"{m} paper (real corpora, oracle)"] = paper[m]
    out = pd.DataFrame(cols)
    out.index.names = ["scheme", "method"]
    methods = [m for m in SATNMF_METHODS if m in set(fixed["method"])]
    ran = set(zip(fixed["tag"], fixed["method"]))
    rows = [(s, m) for s in ALL_SCHEMES for m in methods if (s, m) in ran]
    out = out.reindex(rows)
    avg = out.groupby(level="method", sort=False).mean()
    avg.index = pd.MultiIndex.from_tuples([("Average", m) for m in avg.index],
                                          names=["scheme", "method"])
    out = pd.concat([out, avg]).round(1)
    return out.astype(object).where(out.notna(), NOT_REPORTED)


def markdown(table: pd.DataFrame, title: str) -> str:
    """A table as Markdown under a ``##`` title: grouped headers and row labels joined with
    " / ", cells written exactly as formatted ("26.0", not 26; "—" where nothing is reported)."""
    flat = table.copy()
    if isinstance(flat.columns, pd.MultiIndex):
        flat.columns = [" / ".join(c) for c in flat.columns]
    if isinstance(flat.index, pd.MultiIndex):
        flat.index = pd.Index([" / ".join(map(str, k)) for k in flat.index], name=" / ".join(flat.index.names))
    return f"## {title}\n\n" + flat.to_markdown(disable_numparse=True) + "\n"


def write_report(out="results", data: str = "synthetic") -> list[Path]:
    """CSV + Markdown of every sweep found below ``<out>/<data>``, into ``<out>/<data>/report``."""
    made = []
    target = Path(out) / data / "report"
    builders = {"pairs": pairs_table, "ablation": config_table, "sensitivity": config_table,
                "satnmf": satnmf_table, "satnmf-oracle": satnmf_oracle_table,
                "satnmf-source-cv": satnmf_source_cv_table, "shift": shift_table,
                "open-ablation": config_table}
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


def unknown_by_emotion(df: pd.DataFrame) -> pd.DataFrame:
    """Mean p(unknown) (percent) of each target emotion, per run: one row per (result file,
    emotion) with ``preset``, ``pair``, ``seed``, ``emotion``, ``known`` (a known class of the
    run), ``clips`` and ``p_unknown``. Reads each run's stored ``target_logits`` and
    ``target_emotions`` (STIENet and OSBP results; other files are left out)."""
    from .results import load_result, target_probabilities

    rows = []
    for run in df.itertuples():
        rec = load_result(run.path)
        m = rec["metrics"]
        if "target_emotions" not in m or "target_logits" not in m:
            continue
        prob, _ = target_probabilities(rec)
        known = set(rec["label_names"][:-1])
        frame = pd.DataFrame({"emotion": m["target_emotions"], "p": prob[:, -1]})
        for emotion, group in frame.groupby("emotion", sort=False):
            rows.append({"preset": run.preset, "pair": run.pair, "seed": run.seed,
                         "emotion": emotion, "known": emotion in known, "clips": len(group),
                         "p_unknown": 100 * float(group["p"].mean())})
    return pd.DataFrame(rows)


def summed_confusion(df: pd.DataFrame) -> dict:
    """``{pair: (K+1, K+1) counts}`` summed over the runs (seeds) of ``df`` (one preset)."""
    import numpy as np

    from .results import load_result

    out = {}
    for run in df.itertuples():
        cm = np.asarray(load_result(run.path)["metrics"]["confusion"])
        out[run.pair] = out.get(run.pair, 0) + cm
    return out
