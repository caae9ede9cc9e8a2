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
}



def _f(value) -> str:
    return "  nan " if value is None or (isinstance(value, float) and math.isnan(value)) \
        else f"{value:.3f}"


def epoch_line(row: dict, epochs: int | None = None) -> str:
    """One terminal line for a history row of :func:`stienet.train.fit` (``on_epoch``)."""
    width = len(str(epochs)) if epochs else 2
    head = f"epoch {row['epoch']:>{width}}" + (f"/{epochs}" if epochs else "")
    return (f"{head}  loss {row.get('loss_total', float('nan')):.4f}  "
            + "  ".join(f"{k} {_f(row.get(k))}" for k in ("OS", "OS*", "UNK", "H")))


def degeneracy(confusion, label_names=None) -> tuple[bool, str]:
    """Is the model's output on the target degenerate? ``confusion``: (K+1, K+1) counts, rows
    true labels (known classes, then "unknown"), columns predicted ones.

    Degenerate when the target clips of the known classes receive at most one distinct
    predicted label, or when one predicted label covers more than 90 % of all target clips
    (e.g. everything called "unknown", or everything "anger") although that class is not 90 %
    of the target's true labels (a perfect model on a target that is 95 % "unknown" is not
    degenerate). The flag is :func:`stienet.metrics.collapsed` (stored with every result as
    ``metrics["collapsed"]``); this function adds the reason. Returns ``(flag, reason)``.
    """
    from .metrics import DOMINANT_SHARE, collapsed

    cm = [[int(v) for v in row] for row in confusion]
    n = len(cm)
    names = list(label_names) if label_names else [str(i) for i in range(n)]
    total = sum(map(sum, cm))
    if total == 0:
        return True, "no target clip was evaluated"
    known_rows = cm[:-1]
    used_on_known = {j for row in known_rows for j in range(n) if row[j] > 0}
    per_pred = [sum(cm[i][j] for i in range(n)) for j in range(n)]
    top = max(range(n), key=per_pred.__getitem__)
    share = per_pred[top] / total
    if not collapsed(cm, n - 1):
        return False, (f"not degenerate: the most frequent prediction ({names[top]!r}) covers "
                       f"{share:.0%} of target clips")
    if sum(map(sum, known_rows)) > 0 and len(used_on_known) <= 1:
        label = names[used_on_known.pop()] if used_on_known else "nothing"
        return True, (f"every target clip of a known class was predicted as {label!r}: the "
                      "model does not tell the known emotions apart")
    return True, (f"{share:.0%} of all target clips were predicted as {names[top]!r} (more "
                  f"than {DOMINANT_SHARE:.0%}): the model has collapsed onto one output")


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
    for key, meaning in METRIC_MEANINGS.items():
        lines.append(f"  {key:<4} {_f(m.get(key))}   {meaning}")
    support = [sum(row) for row in m["confusion"]]
    absent = [names[i] for i in range(len(support) - 1) if support[i] == 0] if names else []
    if absent:
        lines.append(f"  note: the target has no {', '.join(absent)} clips; OS and OS* leave "
                     "them out")
    flag, reason = degeneracy(m["confusion"], names)
    lines.append(("  DEGENERATE: " if flag else "  ") + reason)
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
    flag, reason = degeneracy(m["confusion"], names or None)
    out.append(("Degenerate: " if flag else "Not degenerate: ") + reason.split(": ", 1)[-1] + ".")
    if record.get("data") == "synthetic":
        out.append("Synthetic stand-in data: this shows what the code does, not a paper result.")
    return " ".join(out)
