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
# # Results: SATNMF schemes (SATNMF Table 3 and Fig 2)
#
# **On the synthetic stand-ins.** This chapter shows every closed-set method on SATNMF's four
# schemes, with fixed hyper-parameters and with the paper's oracle selection.
#
# The four closed-set schemes of the SATNMF paper (e2E, E2B, B2C, C2e; classes as its
# Table 2) with every method of its Table 3 — the source-only linear SVM, mSDA + SVM, TNMF + SVM,
# FSTSL + SVM, DBN, DoSL and SATNMF + SVM — its Fig 2 special cases (SNMF, SNMF-γ, STNMF-λ), and,
# beyond the paper, four standard shallow domain-adaptation methods of the `skada` library
# (CORAL, subspace alignment SA, transfer component analysis TCA, JDOT), all through the same
# runner ({mod}`stienet.closed_set`: one registry entry per method, {mod}`stienet.baselines`
# for the estimators; {doc}`06_satnmf` for SATNMF itself).
#
# **Two selection protocols.**
# * **fixed** (`python -m stienet sweep satnmf`): hyper-parameters set in advance, never looking
#   at target labels. This is the honest number.
# * **oracle** (`python -m stienet sweep satnmf-oracle`): the paper's protocol (its §3.2) — run a
#   grid of hyper-parameters and report the **best target UAR**. It **uses the target labels**
#   to choose, so it is an upper bound of what the method could do, not a cross-corpus result.
#   The paper's numbers are of this kind. Grids: the paper's where it states them, reduced
#   where CPU time forced it (listed below with every reduction).
#
# **Data: synthetic stand-ins** (generator version 3, calibrated to the real corpora's
# difficulty, {doc}`01_corpora`; scale 0.25), one seed. The paper: real corpora. Not a reproduction; the
# paper's columns are there to read a real-corpus run against.

# %%
import matplotlib.pyplot as plt
import pandas as pd

from stienet.closed_set import REGISTRY
from stienet.data import SCHEMES
from stienet.experiments import SATNMF_METHODS
from stienet.report import closed_set_table, load_results, paper_numbers, satnmf_table

results = load_results("../results", "synthetic", "satnmf")
oracle = load_results("../results", "synthetic", "satnmf-oracle")
for name, df in (("fixed", results), ("oracle", oracle)):
    print(f"{name}: data {sorted(df['data'].unique())}, generator version "
          f"{sorted(df['generator'].unique().tolist())}; {len(df)} runs, "
          f"{df['method'].nunique()} methods, "
          f"{df.groupby(['tag', 'method']).size().min()} seed(s) per cell")
# fixed and oracle numbers are set side by side only when the same stand-ins produced them
oracle_current = (sorted(results["generator"].unique().tolist())
                  == sorted(oracle["generator"].unique().tolist()))
if not oracle_current:
    print("the committed oracle sweep comes from another generator version than the fixed one: "
          "its numbers are left out below (re-run: python -m stienet sweep satnmf-oracle)")
shown = oracle if oracle_current else None

# %% [markdown]
# ## Table 3 in full
#
# UAR and WAR (%) per scheme, with the average over the four schemes last (the paper's
# "Average" row). Columns: this project with fixed hyper-parameters, this project with the
# paper's oracle selection (uses target labels; only when the oracle sweep was run on the same
# stand-ins, see the note printed above), and the paper (real corpora, its oracle selection).
# Methods without a paper column are beyond the paper.

# %%
full = closed_set_table(results, shown)
pd.set_option("display.width", 200)
pd.set_option("display.max_rows", len(full) + 1)  # every row: pandas would elide the middle of 70
full

# %% [markdown]
# In the paper's scheme order, UAR of every method: fixed selection, oracle selection (uses
# target labels; when current, as above), and the paper's Table 3 (real corpora, oracle; its
# seven methods only).

# %%
table3 = [m for m in SATNMF_METHODS if REGISTRY[m].family == "SATNMF Table 3"]   # paper order
skada = [m for m in SATNMF_METHODS if REGISTRY[m].family == "skada"]
order = list(SCHEMES)
paper = paper_numbers("SATNMF").assign(method=lambda d: d["method"].str.replace("+SVM", "", regex=False))
panels = [("fixed (synthetic)", results.pivot_table(index="tag", columns="method", values="UAR"))]
if oracle_current:
    panels.append(("oracle (synthetic, uses target labels)",
                   oracle.pivot_table(index="tag", columns="method", values="UAR")))
panels.append(("paper (real corpora, oracle)",
               paper[paper["metric"] == "UAR"].pivot_table(index="pair", columns="method", values="percent")))
fig, axes = plt.subplots(len(panels), 1, figsize=(7.2, 2.8 * len(panels)), sharey=True)
colors = dict(zip(table3 + skada, plt.cm.tab20.colors))
for ax, (title, frame) in zip(axes, panels):
    cols = [m for m in table3 + skada if m in frame.columns]
    frame.reindex(order)[cols].plot.bar(ax=ax, rot=0, width=0.85, color=[colors[m] for m in cols],
                                        legend=False)
    ax.set_title(f"UAR, {title}", fontsize=10)
    ax.set_ylabel("%")
    ax.set_xlabel("")
    ax.set_ylim(0, 70)
    for i, s in enumerate(order):       # chance: 1 / number of classes of the scheme
        ax.hlines(100 / len(SCHEMES[s][2]), i - 0.45, i + 0.45, colors="k", linestyles=":")
axes[0].legend(ncol=6, fontsize=6.5, loc="upper right")
axes[-1].set_xlabel("scheme (paper order); dotted: chance")
fig.tight_layout()
plt.show()

# %%
avg = full.loc["Average"]
avg = avg.apply(pd.to_numeric, errors="coerce")            # "—" (not reported) → NaN
gain = pd.DataFrame({"UAR fixed": avg["UAR fixed (synthetic)"],
                     "UAR paper": avg["UAR paper (real corpora, oracle)"]})
if oracle_current:
    gain["UAR oracle (uses target labels)"] = avg["UAR oracle (synthetic, uses target labels)"]
    gain["oracle − fixed"] = gain["UAR oracle (uses target labels)"] - gain["UAR fixed"]
gain["grid size"] = [int(pd.Series([len(v) for v in REGISTRY[m].grid.values()]).prod())
                     for m in gain.index]
print("UAR (%), average over the four schemes (synthetic: this project; paper: real corpora; "
      "NaN: not in the paper's Table 3)")
gain.round(1)

# %% tags=["remove-input"]
# the numbers the text below quotes (myst-nb glue), so they cannot drift from the results
from myst_nb import glue  # noqa: E402

above = gain["UAR fixed"] - gain.loc["SVM", "UAR fixed"]
glue("p10_above_svm", int((above > 0).sum()), display=False)
glue("p10_methods", int(len(gain) - 1), display=False)
glue("p10_best", f"{above.idxmax()} ({gain['UAR fixed'].max():.1f} % against {gain.loc['SVM', 'UAR fixed']:.1f} %)",
     display=False)
glue("p10_satnmf", float(gain.loc["SATNMF", "UAR fixed"]), display=False)

# %% [markdown]
# How to read it:
# * **Fixed: nothing beats the source-only SVM by much.** With hyper-parameters fixed in
#   advance, {glue:text}`p10_above_svm` of the {glue:text}`p10_methods` other methods average
#   above the SVM on these stand-ins, the best by a few points: {glue:text}`p10_best`; SATNMF
#   reaches {glue:text}`p10_satnmf:.1f` %. With one seed, differences of a few points are
#   noise. The corpus differences of the stand-ins are not a translation that an alignment
#   method can undo ({doc}`11_shift`).
# * **The toy problems** (`tests/test_baselines_closed.py`: three separable classes, target
#   translated) show that CORAL, SA and JDOT at their defaults, and FSTSL and DoSL with a large
#   alignment weight (α = 100, μ = 100), do remove such a shift (UAR 10 points or more above the
#   SVM), and that mSDA, DBN and skada's TCA do not (the tests' docstrings say why).

# %% tags=["remove-input"]
# what the oracle adds: written from the numbers when fixed and oracle come from the same stand-ins
from IPython.display import Markdown, display  # noqa: E402

if oracle_current:
    searched = gain.dropna(subset=["oracle − fixed"])
    large, small = searched[searched["grid size"] >= 20], searched[searched["grid size"] < 20]
    ahead = searched.index[searched["UAR oracle (uses target labels)"]
                           > gain.loc["SVM", "UAR oracle (uses target labels)"]]
    text = (
        "**Oracle: choosing on target labels is worth several points, more for larger grids.** "
        f"The gap between the two columns is what the paper's protocol adds. {', '.join(large.index)} "
        f"({large['grid size'].min()}–{large['grid size'].max()} grid points) gain "
        f"{large['oracle − fixed'].min():.0f}–{large['oracle − fixed'].max():.0f} points; the methods "
        f"searched over {small['grid size'].min()}–{small['grid size'].max()} points gain "
        f"{small['oracle − fixed'].min():.0f}–{small['oracle − fixed'].max():.0f}. With oracle "
        f"selection {', '.join(ahead) or 'no method'} move{'s' if len(ahead) == 1 else ''} ahead of "
        "the SVM — the ranking then partly reflects how many settings each method was allowed to "
        "try. The paper's numbers are of the oracle kind; the fixed column is the honest one. "
        "SNMF, SNMF-γ and STNMF-λ (Fig 2) were not run with the oracle, for CPU time.")
else:
    versions = ", ".join(map(str, sorted(oracle["generator"].unique().tolist())))
    text = (
        f"**Oracle: not shown for these stand-ins.** The committed oracle sweep was made by "
        f"generator version {versions}, before the stand-ins were recalibrated, and has not been "
        "re-run yet (`python -m stienet sweep satnmf-oracle`; its 44 runs took about 40 minutes "
        "on this machine). "
        "On version 2 it showed that choosing on target labels is worth several points, more "
        "for larger grids (mSDA, FSTSL, SA, TCA: 5–13 points), so that the ranking of a table "
        "made with the paper's protocol partly reflects how many settings each method may try.")
display(Markdown(text))

# %% [markdown]
# ## What each method ran with
#
# Fixed hyper-parameters (chosen without target labels: the papers' or libraries' defaults, or
# all weights 1) and the oracle grid with its reductions. SATNMF's special cases take the
# package defaults (r = 128, α = 1, β = γ = 100, λ = 1, p = 5, 5 voted initialisations).

# %%
grids = pd.DataFrame([{"method": m.name, "family": m.family,
                       "fixed": ", ".join(f"{k}={v}" for k, v in m.defaults.items()) or "package defaults",
                       "oracle grid": "; ".join(f"{k} ∈ {{{', '.join(map(str, v))}}}"
                                                for k, v in m.grid.items()),
                       "combinations": int(pd.Series([len(v) for v in m.grid.values()]).prod()),
                       "grid source / reduction": m.grid_note}
                      for m in (REGISTRY[name] for name in SATNMF_METHODS)])
with pd.option_context("display.max_colwidth", None):  # whole cells: pandas cuts text at 50 characters
    display(grids.set_index("method"))  # noqa: F821

# %% [markdown]
# Implementation notes (details in each module's docstring):
# * **mSDA** (Chen et al. 2012): closed form per layer, 3 layers of noise 0.5, representation
#   [x, h₁, h₂, h₃], computed exactly through the Woodbury identity (tested against Chen et al.'s
#   literal formula and against many explicit random corruptions).
# * **FSTSL** and **DoSL**: their papers' text was not available to this project; the modules
#   implement the objectives that SATNMF's description and the papers' abstracts give
#   (ℓ2,1-regularised label regression with MMD and graph terms; sparse label regression with a
#   mean-matching term) — their docstrings say exactly what and from where.
# * **DBN**: three RBM layers of 500 units (scikit-learn's `BernoulliRBM`, pre-trained on
#   source + target), fine-tuned with a softmax layer on the source by Adam (lr 1e-3).
# * **skada** methods run on the coordinates of the rows in the span of source + target (exact for
#   SA, linear TCA, JDOT and the SVM; CORAL's shrinkage is then estimated in that span).

# %% [markdown]
# ## Fig 2 of the paper: SATNMF against its special cases (fixed hyper-parameters)

# %%
methods = ["SNMF", "SNMF-γ", "STNMF-λ", "SATNMF"]
uar = results.pivot_table(index="tag", columns="method", values="UAR").reindex(order)
war = results.pivot_table(index="tag", columns="method", values="WAR").reindex(order)
fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.6), sharey=True)
for ax, (name, frame) in zip(axes, [("UAR", uar), ("WAR", war)]):
    frame[methods].plot.bar(ax=ax, rot=0)
    ax.set_title(f"{name}, synthetic, 1 seed", fontsize=10)
    ax.set_ylabel("%")
    ax.set_xlabel("scheme")
    ax.set_ylim(0, 100)
    ax.legend(fontsize=7, ncol=2)
plt.show()

# %% [markdown]
# The per-run table (mean ± std over seeds; one seed here) with the paper's numbers, as
# `python -m stienet report` writes it:

# %%
satnmf_table(results)

# %% [markdown]
# ## Wall time
#
# Per run on this machine (2 shared cores), median over the four schemes, in seconds. The
# first run of a corpus also computes its features (cached afterwards). An oracle run is the
# whole grid search; representation + SVM methods learn each representation once and try every
# C on it, and the DBN is trained once and read at every grid epoch.

# %%
times = pd.DataFrame({"fixed": results.groupby("method")["wall_time_s"].median()})
if oracle_current:
    times["oracle (whole grid)"] = oracle.groupby("method")["wall_time_s"].median()
times.reindex([m for m in SATNMF_METHODS if m in times.index]).round(0)
