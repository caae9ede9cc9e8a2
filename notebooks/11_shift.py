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
# Both STIENet curves sit at 33.3 %: with B as the source (about 67 known-class clips at this
# scale) and 10 epochs, every run ended with OS\* = 33.3 % exactly — one label for all
# known-class clips; six of the eight gave one label to every clip (see {doc}`07_results_pairs`
# for the same collapse in the B → C pair). At this budget the open-set curves carry no
# information about shift. A larger budget
# (`python -m stienet sweep shift --scale 1 --epochs 30 --seeds 0 1 2`) is the next step.
