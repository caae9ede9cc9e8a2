"""What a finished run means, in words: one line per epoch, a final summary, a degeneracy check.

Used by the command line (``python -m stienet train``) and by the main job
(``notebooks/train``), so both say the same thing. Reads only a run's history rows and its
result record (:meth:`stienet.train.RunResult.to_json`); imports nothing heavy.
"""
from __future__ import annotations

import math

#: One-line meanings of the open-set metrics (K known classes + "unknown"; chapter 07).
METRIC_MEANINGS = {
    "OS": "mean recall over the known classes and 'unknown' (open-set accuracy)",
    "OS*": "mean recall over the known classes only (anger, fear, happiness by default)",
    "UNK": "recall of 'unknown': share of target clips of other emotions that were rejected",
    "H": "harmonic mean of OS* and UNK: high only when both are (the headline number)",
    "WAR": "plain accuracy over all target clips",
    "AUROC": "how well p(unknown) ranks unknown above known clips (0.5 = chance, 1 = perfect)",
    "closed OS*": "OS* with 'unknown' switched off (arg-max over the known classes)",
}



def _f(value) -> str:
    return "  nan " if value is None or (isinstance(value, float) and math.isnan(value)) \
        else f"{value:.3f}"


def epoch_line(row: dict, epochs: int | None = None) -> str:
    """One terminal line for a history row of :func:`stienet.train.fit` (``on_epoch``): losses,
    metrics, the epoch's seconds and, with ``epochs``, the time left at the mean pace so far."""
    width = len(str(epochs)) if epochs else 2
    head = f"epoch {row['epoch']:>{width}}" + (f"/{epochs}" if epochs else "")
    line = (f"{head}  loss {row.get('loss_total', float('nan')):.4f}  "
            + "  ".join(f"{k} {_f(row.get(k))}" for k in ("OS", "OS*", "UNK", "H")))
    if row.get("seconds") is not None:
        line += f"  {row['seconds']:.1f} s"
        if epochs and row.get("elapsed_s") is not None and row["epoch"] > 0:
            left = row["elapsed_s"] / row["epoch"] * max(epochs - row["epoch"], 0)
            line += f", ETA {_duration(left)}"
    return line


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min" if seconds < 5400 else f"{seconds / 3600:.1f} h"


def degeneracy(confusion, label_names=None, auroc=None) -> tuple[bool, str]:
    """Is the model's output on the target degenerate, and how? ``confusion``: (K+1, K+1)
    counts, rows true labels (known classes, then "unknown"), columns predicted ones;
    ``auroc``: of the unknown score, in [0, 1] (optional).

    The rule is :func:`stienet.metrics.degeneracy_modes` (one label for > 90 % of the clips,
    never "unknown", everything "unknown", an inverted unknown score, ...); this function says
    which modes fired in words. Returns ``(flag, reason)``; the reason is one line."""
    from .metrics import DEGENERACY_MODES, degeneracy_modes

    cm = [[int(v) for v in row] for row in confusion]
    n = len(cm)
    names = list(label_names) if label_names else [str(i) for i in range(n)]
    total = sum(map(sum, cm))
    modes = degeneracy_modes(cm, n - 1, auroc)
    if total == 0:
        return True, DEGENERACY_MODES["no clips"]
    per_pred = [sum(cm[i][j] for i in range(n)) for j in range(n)]
    top = max(range(n), key=per_pred.__getitem__)
    share = per_pred[top] / total
    if not modes:
        return False, (f"not degenerate: the most frequent prediction ({names[top]!r}) covers "
                       f"{share:.0%} of target clips; 'unknown' is said for some, not all")
    said = []
    for mode in modes:
        if mode == "one label":
            said.append(f"{share:.0%} of all target clips were predicted as {names[top]!r}")
        elif mode == "one known label":
            used = sorted({j for row in cm[:-1] for j in range(n) if row[j] > 0})
            label = names[used[0]] if used else "nothing"
            said.append(f"every known-class target clip was predicted as {label!r}")
        else:
            said.append(DEGENERACY_MODES[mode])
    return True, f"{', '.join(modes)}: " + "; ".join(said)


def run_summary(record: dict, result_path=None, notebook_path=None) -> str:
    """Plain-text summary of a STIENet result record: metrics with meanings, the degeneracy
    verdict, missing target classes, and where the files are."""
    m = record["metrics"]
    names = record.get("label_names")
    trained = (f"{record['epochs']} epochs" if record.get("epochs") is not None
               else record.get("features", "no epochs"))          # shallow methods: no epochs
    lines = [f"{record['method']} {record['source']} -> {record['target']} "
             f"(data: {record['data']}, seed {record['seed']}, {trained}, "
             f"{record.get('wall_time_s', 0):.0f} s on {record.get('device', '?')}); "
             + ("model after the last epoch" if record.get("epochs") is not None else "fitted model")
             + ", on the whole target corpus:"]
    flag, reason = degeneracy(m["confusion"], names, m.get("AUROC"))
    for key, meaning in METRIC_MEANINGS.items():
        if m.get(key) is None and key in ("AUROC", "closed OS*"):
            continue
        lines.append(f"  {key:<10} {_f(m.get(key))}   {meaning}")
        if key == "H":
            lines.append(("  " + " " * 10 + " DEGENERATE: " if flag else "  " + " " * 11) + reason)
    support = [sum(row) for row in m["confusion"]]
    absent = [names[i] for i in range(len(support) - 1) if support[i] == 0] if names else []
    if absent:
        lines.append(f"  note: the target has no {', '.join(absent)} clips; OS and OS* leave "
                     "them out")
    if record["data"] == "synthetic":
        lines.append("  (synthetic stand-in data: shows the code works, not a paper result)")
    if result_path:
        lines.append(f"  result JSON: {result_path}")
    if notebook_path:
        lines.append(f"  executed notebook: {notebook_path}")
    return "\n".join(lines)


def plain_reading(record: dict) -> str:
    """Two or three sentences on what a STIENet run's numbers say, in percent: did the network
    learn its source (held-out source accuracy against chance), did it transfer (OS* against
    chance), does it reject (UNK, and the threshold-free AUROC of p(unknown)), and the
    degeneracy verdict of :func:`degeneracy` (a non-breaking space before every %). Written for the main job's last cell, so that the
    page's words follow the run's numbers instead of being typed by hand."""
    m = record["metrics"]
    names = record.get("label_names") or []
    k = max(len(names) - 1, 1)                       # known classes
    chance = 100 / k
    hist = record.get("history") or [{}]
    src = hist[-1].get("source_acc")
    pct = {key: (None if m.get(key) is None else 100 * m[key]) for key in ("OS*", "UNK", "H", "AUROC")}

    def rel(v, c, margin=5.0):
        return "above" if v > c + margin else "below" if v < c - margin else "about at"

    out = []
    if src is not None:
        learned = "learned" if 100 * src > chance + 15 else "barely learned"
        out.append(f"The network {learned} its source: {100 * src:.0f}\u00a0% of held-out source clips "
                   f"right (chance {chance:.0f}\u00a0%).")
    if pct["OS*"] is not None:
        out.append(f"On the target, OS* is {pct['OS*']:.0f}\u00a0%, {rel(pct['OS*'], chance)} chance "
                   f"({chance:.0f}\u00a0%); it rejected {pct['UNK']:.0f}\u00a0% of the unknown clips (UNK), "
                   f"so H is {pct['H']:.0f}\u00a0%.")
    if pct["AUROC"] is not None:
        how = ("does not separate unknown from known target clips" if pct["AUROC"] < 60
               else "separates unknown from known target clips only weakly" if pct["AUROC"] < 75
               else "separates unknown from known target clips")
        out.append(f"p(unknown) {how} (AUROC {pct['AUROC']:.0f}\u00a0%; 50 = not at all).")
    flag, reason = degeneracy(m["confusion"], names or None, m.get("AUROC"))
    out.append(("Degenerate: " if flag else "Not degenerate: ") + reason.split(": ", 1)[-1] + ".")
    if record.get("data") == "synthetic":
        out.append("Synthetic stand-in data: this shows what the code does, not a paper result.")
    return " ".join(out)
