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
# ```{warning}
# **These committed runs predate the fixes of issue #10.** They were trained by a
# `stienet.train` that evaluated a different network from the one it trained: BatchNorm's
# running averages lagged behind the weights, and pseudo-unknowns inflated the classifier's
# statistics (held-out source accuracy at epoch 3 was 30 % in eval mode and 96 % with the
# statistics recomputed, synthetic B → S). That bug — not the training budget — is why
# so many of these runs give one label to (almost) every target clip. The fixed code (one
# encoder pass over both domains, statistics recomputed before every evaluation, presets
# `paper` and `open`) is in place; the sweeps are still to be re-run on the recalibrated
# stand-ins. Until then, read these numbers as a record of the bug, not of the method.
# ```
#
# The synthetic stand-ins have a knob the real corpora lack: `shift` scales every difference
# between corpora (phonetics, acting style, channel; 1 = default). This chapter trains on
# synthetic B and tests on synthetic C as the knob grows, with
#
# * **source-only** STIENet (only L_cls: β = γ = δ = ε = 0) — the network without adaptation;
# * **STIENet** with all weights 1 (open set: 3 known classes + unknown; OS\* reported);
# * **SVM** on ComParE features and **SATNMF** (closed set, the 5 classes of scheme B2C; UAR).
#
# Read from `python -m stienet sweep shift`. **Data: synthetic only** (scale 0.25), 10 epochs,
# one seed, last-epoch model. Open-set OS\* (3 classes, chance 33 %) and closed-set UAR
# (5 classes, chance 20 %) are different measures: compare the slopes, not the levels.

# %%
import matplotlib.pyplot as plt

from stienet.report import load_results

results = load_results("../results", "synthetic", "shift")
results["shift"] = results["tag"].str.replace("shift=", "").astype(float)
results["score"] = results["OS*"].where(results["method"].isin(["STIENet", "source-only"]),
                                        results["UAR"])
table = results.pivot_table(index="shift", columns="method", values="score").round(1)
print(f"data: {results['data'].iloc[0]}; B -> C; {results.groupby(['tag', 'method']).size().min()} "
      "seed(s); STIENet / source-only: OS* (%), SVM / SATNMF: UAR (%)")
table

# %%
fig, ax = plt.subplots(figsize=(6, 3.6))
for method, style in [("source-only", "o--"), ("STIENet", "o-"), ("SVM", "s--"), ("SATNMF", "s-")]:
    if method in table:
        ax.plot(table.index, table[method], style, label=method)
ax.set_xlabel("synthetic shift (1 = default)")
ax.set_ylabel("OS* or UAR (%)")
ax.set_ylim(0, 100)
ax.set_title("B -> C under growing corpus shift (synthetic)")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# What this shows, and what it does not: the two closed-set methods on ComParE features lose
# accuracy steadily as the corpora drift apart (from ~90 % to ~45 % UAR), and SATNMF, which
# adapts, falls more slowly than the source-only SVM and overtakes it at the largest shift.
# Both STIENet curves sit at 33.3 %: every run ended with OS\* = 33.3 % exactly — one label
# for all known-class clips — even the source-only runs at shift 0.5, where the linear SVM on
# ComParE reaches ~95 % UAR. The training budget was not the cause: these runs predate the
# BatchNorm fix (warning above), with which a trained network classifies held-out source clips
# at 89–100 % in eval mode. The sweep is to be re-run with the fixed code
# (`python -m stienet sweep shift --seeds 0 1`).
