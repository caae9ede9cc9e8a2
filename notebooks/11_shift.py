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
# **Re-run on the recalibrated stand-ins (generator version 3, issue #12)** with the fixed
# training code of issue #10 (the earlier collapse came from stale BatchNorm statistics, not
# from the training budget). Both training presets are shown.
# ```
#
# The synthetic stand-ins have a knob the real corpora lack: `shift` scales every difference
# between corpora (phonetics, acting style, channel; 1 = default). This chapter trains on
# synthetic B and tests on synthetic C as the knob grows, with
#
# * **source-only** STIENet (only L_cls: β = γ = δ = ε = 0) — the network without adaptation;
# * **STIENet** with the `paper` preset (all weights 1) and the `open` preset (beyond the paper)
#   (open set: 3 known classes + unknown; OS\* reported);
# * **SVM** on ComParE features and **SATNMF** (closed set, the 5 classes of scheme B2C; UAR);
# * **SVM (3 known)**: the same SVM on source-only's own task, the three known classes (UAR) —
#   the like-for-like reference for source-only, whose OS\* is the mean recall over the same
#   three classes when nothing is rejected.
#
# Read from `python -m stienet sweep shift`. **Data: synthetic only** (generator version 3;
# scale 0.25), 10 epochs,
# one seed, last-epoch model. Open-set OS\* (3 classes, chance 33 %) and closed-set UAR
# (5 classes, chance 20 %) are different measures: compare the slopes, not the levels.

# %%
import matplotlib.pyplot as plt

from stienet.report import load_results

results = load_results("../results", "synthetic", "shift")
results["shift"] = results["tag"].str.extract(r"shift=([0-9.]+)")[0].astype(float)
# STIENet runs carry their training preset in the tag ("paper_shift=1"): one curve per preset
results["method"] = [f"STIENet ({t.split('_')[0]})" if m == "STIENet"
                     else "SVM (3 known)" if t.startswith("known_") else m
                     for m, t in zip(results["method"], results["tag"])]
results["score"] = results["OS*"].where(results["method"].str.startswith(("STIENet", "source-only")),
                                        results["UAR"])
table = results.pivot_table(index="shift", columns="method", values="score").round(1)
print(f"data: {results['data'].iloc[0]}, generator version {sorted(results['generator'].unique().tolist())}; "
      f"B -> C; {results.groupby(['tag', 'method']).size().min()} "
      "seed(s); STIENet / source-only: OS* (%), SVM / SATNMF: UAR (%)")
table

# %%
fig, ax = plt.subplots(figsize=(6.8, 3.8))
# source-only and STIENet (paper) nearly coincide: source-only is drawn last, hollow and thick,
# so both stay visible
for method, style, kw in [("STIENet (paper)", "o-", {}), ("STIENet (open)", "^-", {}),
                          ("SVM", "s--", {}), ("SVM (3 known)", "v--", {}), ("SATNMF", "s-", {}),
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
for method, key in [("SVM", "svm"), ("SATNMF", "satnmf"), ("source-only", "src"), ("STIENet (paper)", "paper"),
                    ("SVM (3 known)", "svm3")]:
    glue(f"{key}_lo", float(table.loc[lo, method]), display=False)
    glue(f"{key}_hi", float(table.loc[hi, method]), display=False)
import pandas as pd  # noqa: E402

reference = pd.read_csv("../results/synthetic/shallow_reference.csv").set_index("pair")
glue("svm_sb", float(reference.loc["S_B", "svm_uar"]), display=False)

# %% [markdown]
# What this shows (one seed, quarter-size corpora, generator version 3):
#
# * **The shallow pipelines lose accuracy as the corpora drift apart** (shift
#   {glue:text}`shift_lo:.1f` → {glue:text}`shift_hi:.0f`): the SVM on ComParE from
#   {glue:text}`svm_lo:.0f` % to {glue:text}`svm_hi:.0f` % UAR on the five B2C classes (chance
#   20 %), SATNMF from {glue:text}`satnmf_lo:.0f` % to {glue:text}`satnmf_hi:.0f` %, the SVM on
#   the three known classes from {glue:text}`svm3_lo:.0f` % to {glue:text}`svm3_hi:.0f` %.
# * **The network transfers now, but less than the SVM at small shift.** Source-only STIENet
#   reaches {glue:text}`src_lo:.0f` % OS\* at shift {glue:text}`shift_lo:.1f` (three classes,
#   chance 33 %) against {glue:text}`svm3_lo:.0f` % for the SVM on the same three classes, so
#   issue #10's check — source-only within 10 points of the SVM at shift 0.5 — still fails; the
#   `paper` preset gets {glue:text}`paper_lo:.0f` %. The `open` preset trades OS\* for
#   rejection.
# * **Unexplained: the network's OS\* *rises* with the shift** (source-only
#   {glue:text}`src_lo:.0f` → {glue:text}`src_hi:.0f` %, `paper` {glue:text}`paper_lo:.0f` →
#   {glue:text}`paper_hi:.0f` %) while the shallow pipelines fall. One seed per point, so part of
#   it may be noise; a plausible cause is that `shift` also exaggerates B's stronger acting
#   (acting 1.2 against the shared 1.0), which makes the source's emotions easier to learn from
#   raw audio, but this was not measured. Until it is, read the curve as a property of these
#   stand-ins, not of the method.
#
# Two measurements from earlier runs bound what limits the network on the default stand-ins:
# data size was not it on S → e (generator version 2, `paper` preset, 10 epochs: 42 % known-class
# accuracy at scale 0.25 and at full size), and on pairs the stand-ins invert, no model
# transfers (S → B: the ComParE SVM reaches {glue:text}`svm_sb:.0f` % UAR on the three known classes,
# `benchmarks/shallow_reference.py`; {doc}`07_results_pairs`). Chapter {doc}`12_open_preset`
# compares the network with that shallow reference pair by pair.
