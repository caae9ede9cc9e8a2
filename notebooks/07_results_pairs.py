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
# # Results: the 12 corpus pairs (STIENet Tables 2–3)
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
# This chapter only **reads** result files written by
# `python -m stienet sweep pairs` (see {mod}`stienet.experiments`) and tabulates them with
# {func}`stienet.report.pairs_table`, next to the STIENet row of the paper's Tables 2–3.
#
# **What produced the committed numbers:** the *synthetic* stand-ins at a quarter of the real
# corpus sizes (`--scale 0.25`), 10 epochs, 2 seeds, on a 2-core CPU; the model after the last
# epoch (no selection with target labels). The paper: real corpora, 30 epochs, best of 10 seeds.
# The two columns are **not** comparable as a reproduction — they sit side by side so that a run
# on the real corpora (the command in {doc}`../book/reproduce`) can be read against the paper.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from stienet.report import load_results, pairs_table

pd.set_option("display.width", 200)
results = load_results("../results", "synthetic", "pairs")
runs = results.groupby("pair").size()
print(f"data: {results['data'].iloc[0]}; {len(results)} runs, {runs.min()}-{runs.max()} seeds per "
      f"pair; epochs {sorted(results['epochs'].unique().tolist())}; model: last epoch")

# %%
table = pairs_table(results)
table

# %% [markdown]
# OS = mean recall over the 3 known classes and *unknown*; OS\* = over the known classes only;
# UNK = recall of unknown; H = harmonic mean of OS\* and UNK. "collapsed" counts runs whose
# classifier gave every target clip the same label (then OS\* = 33.3 and OS = 25.0 exactly).
#
# ## Heat maps by source × target

# %%
stats = results.groupby(["source", "target"])[["OS", "OS*"]].mean()
codes = ["B", "C", "e", "S"]
fig, axes = plt.subplots(1, 2, figsize=(9, 3.8))
for ax, metric in zip(axes, ["OS", "OS*"]):
    grid = np.full((4, 4), np.nan)
    for (s, t), v in stats[metric].items():
        grid[codes.index(s), codes.index(t)] = v
    im = ax.imshow(grid, vmin=0, vmax=100, cmap="viridis")
    for i in range(4):
        for j in range(4):
            if not np.isnan(grid[i, j]):
                ax.text(j, i, f"{grid[i, j]:.0f}", ha="center", va="center", color="w")
    ax.set_xticks(range(4), codes)
    ax.set_yticks(range(4), codes)
    ax.set_xlabel("target")
    ax.set_ylabel("source")
    ax.set_title(f"{metric} (%), synthetic, mean of {runs.min()} seeds")
fig.colorbar(im, ax=axes, shrink=0.8)
plt.show()

# %% [markdown]
# ## Reading the table honestly
# * Many of these runs **collapse** (one label for most target clips). The cause was a bug,
#   not the budget (see the warning above): with the fixed code the eval-mode accuracy on
#   held-out source clips is 89–100 % from the first epochs (synthetic B → C, full size).
# * UNK stays near 0: with the `paper` preset the unknown output rarely wins on target clips,
#   as {doc}`05_inverse_entropy` predicts for all weights = 1 — the β/ε pair parks the
#   rejection loss at $L^\ast = 0.9$, an unknown probability of ~0.4 on pseudo-unknowns. The
#   `open` preset (beyond the paper, {mod}`stienet.openset`) is built to make it reachable.
# * The paper's Tables 2–3 themselves show OS = ¾·OS\* to two decimals for 7 of the 12 pairs,
#   i.e. UNK = 0 under the class-averaged OS used here; the paper's text instead defines OS as
#   accuracy over all samples (WAR in our records). Both are stored with every run.
# * The paper's own averages: its text gives 47.61 % (OS) and 68.33 % (OS\*) for STIENet,
#   while the rows of its Tables 2–3 average to 47.45 % and 62.81 %
#   (`stienet/paper_tables.csv`).

# %%
paper_avg = table.xs("paper (real corpora, best of 10 seeds)", axis=1, level=0).mean()
print(f"paper tables, mean over the 12 pairs: OS {paper_avg['OS']:.2f}, OS* {paper_avg['OS*']:.2f}")
walls = results["wall_time_s"]
print(f"wall time per run on this machine (2-core CPU): median {walls.median():.0f} s, "
      f"shortest {walls.min():.0f} s")

# %% [markdown]
# ## Cost of the committed sweeps (2-core CPU, no GPU)
# Measured while producing the files in `results/synthetic/` (one process each):
#
# | sweep | runs | wall time |
# |---|---|---|
# | `pairs` (12 pairs × 2 seeds, 10 epochs) | 24 | 22 min |
# | `ablation` (6 configurations × 2 seeds) | 12 | 5 min |
# | `sensitivity` (21 configurations × 2 seeds, one core) | 42 | 26 min |
# | `satnmf` (4 schemes × 6 methods, one core) | 24 | 24 min |
# | `shift` (4 shifts × 4 methods, one core) | 16 | 11 min |
#
# `--jobs 2` against `--jobs 1` on six short runs: 31 s against 38 s wall (1.2×) — a single run
# already keeps both cores busy through torch's threads, so parallel processes help little here;
# on a machine with more cores, or on a GPU, they help more.
