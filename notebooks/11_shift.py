# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Beyond the papers: accuracy against corpus shift
#
# ```{note}
# **Re-run with the fixed training code on the recalibrated stand-ins (generator version 2).**
# The earlier committed runs were trained by a `stienet.train` that evaluated a different
# network from the one it trained (stale BatchNorm running averages; pseudo-unknowns in the
# classifier's statistics) — that bug, not the training budget, made them collapse. Both
# training presets are shown.
# ```
#
# The synthetic stand-ins have a knob the real corpora lack: `shift` scales every difference
# between corpora (phonetics, acting style, channel; 1 = default). This chapter trains on
# synthetic B and tests on synthetic C as the knob grows, with
#
# * **source-only** STIENet (only L_cls: β = γ = δ = ε = 0) — the network without adaptation;
# * **STIENet** with the `paper` preset (all weights 1) and the `open` preset (beyond the paper)
#   (open set: 3 known classes + unknown; OS\* reported);
# * **SVM** on ComParE features and **SATNMF** (closed set, the 5 classes of scheme B2C; UAR).
#
# Read from `python -m stienet sweep shift`. **Data: synthetic only** (generator version 2;
# scale 0.25), 10 epochs,
# one seed, last-epoch model. Open-set OS\* (3 classes, chance 33 %) and closed-set UAR
# (5 classes, chance 20 %) are different measures: compare the slopes, not the levels.

# %%
import matplotlib.pyplot as plt

from stienet.report import load_results

results = load_results("../results", "synthetic", "shift")
results["shift"] = results["tag"].str.extract(r"shift=([0-9.]+)")[0].astype(float)
# STIENet runs carry their training preset in the tag ("paper_shift=1"): one curve per preset
results["method"] = [f"STIENet ({t.split('_')[0]})" if m == "STIENet" else m
                     for m, t in zip(results["method"], results["tag"])]
results["score"] = results["OS*"].where(results["method"].str.startswith(("STIENet", "source-only")),
                                        results["UAR"])
table = results.pivot_table(index="shift", columns="method", values="score").round(1)
print(f"data: {results['data'].iloc[0]}; B -> C; {results.groupby(['tag', 'method']).size().min()} "
      "seed(s); STIENet / source-only: OS* (%), SVM / SATNMF: UAR (%)")
table

# %%
fig, ax = plt.subplots(figsize=(6.8, 3.8))
# source-only and STIENet (paper) nearly coincide: source-only is drawn last, hollow and thick,
# so both stay visible
for method, style, kw in [("STIENet (paper)", "o-", {}), ("STIENet (open)", "^-", {}),
                          ("SVM", "s--", {}), ("SATNMF", "s-", {}),
                          ("source-only", "D:", {"mfc": "none", "ms": 9, "mew": 1.6, "lw": 2, "zorder": 5})]:
    if method in table:
        ax.plot(table.index, table[method], style, label=method, **kw)
ax.set_xlabel("synthetic shift (1 = default)")
ax.set_ylabel("OS* or UAR (%)")
ax.set_ylim(0, 100)
ax.set_title("B → C under growing corpus shift (synthetic, 1 seed)", fontsize=10)
ax.legend(fontsize=8, ncol=2)
plt.show()

# %% tags=["remove-input"]
# the numbers the text below quotes, taken from the table above (myst-nb glue), so they cannot drift
from myst_nb import glue

lo, hi = table.index.min(), table.index.max()
glue("shift_lo", float(lo), display=False)
glue("shift_hi", float(hi), display=False)
for method, key in [("SVM", "svm"), ("SATNMF", "satnmf"), ("source-only", "src"), ("STIENet (paper)", "paper")]:
    glue(f"{key}_lo", float(table.loc[lo, method]), display=False)
    glue(f"{key}_hi", float(table.loc[hi, method]), display=False)

# %% [markdown]
# What this shows (one seed, quarter-size corpora, generator version 2): every method loses
# accuracy as the corpora drift apart (shift {glue:text}`shift_lo:.1f` → {glue:text}`shift_hi:.0f`)
# — the SVM on ComParE from {glue:text}`svm_lo:.0f` % to {glue:text}`svm_hi:.0f` % UAR (5
# classes, chance 20 %), SATNMF from {glue:text}`satnmf_lo:.0f` % to {glue:text}`satnmf_hi:.0f` %.
# No run collapses any more, but **STIENet does not transfer on these stand-ins even at the
# smallest shift**: source-only and the `paper` preset reach {glue:text}`src_lo:.0f` % and
# {glue:text}`paper_lo:.0f` % OS\* at shift {glue:text}`shift_lo:.1f` (3 classes, chance 33 %), although the same networks classify
# held-out *source* clips at about 70 % ({doc}`07_results_pairs`); the `open` preset trades
# OS\* for rejection and stays below chance. The check — source-only within 10 points
# of the SVM at shift 0.5 — fails (the measures differ, but source-only is at chance). That the
# network learns its source but not the shared emotion cues is the open problem of these runs.
# Two measurements narrow it down. Data size is not the cause: on S → e (seed 0, `paper`
# preset, 10 epochs) the known-class accuracy of the trained network was 42 % at scale 0.25
# and 42 % at full size. And B → C is a hard pair for every method at this size: the ComParE
# SVM trained on the three known classes reaches 30 % UAR on it at shift 1 (chance 33 %;
# `benchmarks/shallow_reference.py`, 47 % averaged over the 12 pairs). Chapter
# {doc}`12_open_preset` compares the network with that shallow reference pair by pair.
