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
# **On the synthetic stand-ins.** This chapter shows how accuracy falls as the stand-in corpora
# are made more different from each other, for both training presets and a source-only model.
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

# %% [markdown]
# `shift` scales every difference between the corpora, and these include each corpus's own way
# of acting the emotions. So the knob can also change how easy the *source's* emotions are to
# tell apart. `python benchmarks/shift_within.py` measures that within each corpus: the same
# SVM, on the three known classes, with speaker-independent folds inside B and inside C. Beside
# it is the network's own accuracy on held-out source clips (source-only, eval mode; 7 clips
# at this size, so coarse).

# %%
import pandas as pd

within = pd.read_csv("../results/synthetic/shift_within.csv")
within_table = within.pivot(index="shift", columns="corpus", values="within_known_uar")
within_table.columns = [f"SVM within {c} (3 known, UAR %)" for c in within_table.columns]
held = results[results["method"] == "source-only"].set_index("shift")["source_acc"]
within_table["source-only: held-out source clips (acc %)"] = held
print(f"data: {within['data'].iloc[0]}, generator version {sorted(within['generator_version'].unique().tolist())}, "
      f"scale {within['scale'].iloc[0]}, corpus seed {within['corpus_seed'].iloc[0]}")
within_table.round(1)

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
glue("withinb_lo", float(within_table.iloc[:, 0].loc[lo]), display=False)
glue("withinb_hi", float(within_table.iloc[:, 0].loc[hi]), display=False)
glue("withinb_one", float(within_table.iloc[:, 0].loc[1.0]), display=False)
glue("withinc_min", float(within_table.iloc[:, 1].min()), display=False)
glue("withinc_max", float(within_table.iloc[:, 1].max()), display=False)
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
#   issue #10's check — source-only within 10 points of the SVM at shift 0.5 — fails on this
#   draw of the stand-ins, and narrowly on the mean of five draws ({glue:text}`sos_gap:.1f`
#   points; see *The check on five corpus draws* below); the `paper` preset gets
#   {glue:text}`paper_lo:.0f` %. The `open` preset trades OS\* for
#   rejection.
# * **Why the network's OS\* *rises* with the shift** (source-only {glue:text}`src_lo:.0f` →
#   {glue:text}`src_hi:.0f` %, `paper` {glue:text}`paper_lo:.0f` → {glue:text}`paper_hi:.0f` %;
#   not monotonically — one seed per point, and single runs move by 10 points and more) while the
#   shallow pipelines fall: the knob makes the *source* easier. Within B, the SVM
#   separates the three known classes at {glue:text}`withinb_lo:.0f` % at shift
#   {glue:text}`shift_lo:.1f`, {glue:text}`withinb_one:.0f` % at 1 and {glue:text}`withinb_hi:.0f` %
#   at {glue:text}`shift_hi:.0f` (within C: {glue:text}`withinc_min:.0f`–{glue:text}`withinc_max:.0f` %
#   at every shift), and the network's held-out source accuracy climbs with it. B's corpus deltas
#   happen to enlarge its contrasts between anger, fear and happiness, and `shift` scales them.
#   A network that learns its source well carries more of it across; the SVM, which already
#   separates B's classes at shift {glue:text}`shift_lo:.1f`, only feels the growing distance to C.
#   So the curve says as much about the source's difficulty as about the corpus gap. Read it as a
#   property of these stand-ins, not of the method.
# * **What does not close the gap at shift {glue:text}`shift_lo:.1f`** (source-only, B → C,
#   `python -m stienet train --source B --target C --shift 0.5 --beta 0 --gamma 0 --delta 0
#   --epsilon 0 ...`; one run each, measured for issue #10, not stored in `results/`; all but the
#   last with one set of BatchNorm statistics for both domains, the recipe before
#   domain-specific BatchNorm): more epochs (10 / 30 / 60 at scale 0.25: OS\* 43 / 46 / 36 %,
#   the training loss falls to 0.006, the network memorises its 80 clips); four times the data
#   (full size, 10 epochs: 41 %; held-out source accuracy 44–59 %); other model seeds (seeds
#   0–3: 43 / 50 / 39 / 43 %); speaker normalisation of φ (45 %); domain-specific BatchNorm
#   (`--bn domain`, now in both presets: seeds 0–3 43 / 48 / 43 / 43 %); and the SVM does not
#   owe its lead to scaling per speaker (58 % scaled per corpus as well). The SVM's ComParE functionals separate B's classes
#   at this shift about as well as the network ever does on held-out *source* clips and lose
#   almost nothing across corpora, while the network loses 5–10 more points in the transfer.
# * **Nor do these changes to the network or its training** (same run, domain-specific
#   BatchNorm, seeds 0–3, mean OS\* against 44 % for the committed recipe; probes for issue
#   #10, not stored in `results/`): weight decay 10⁻³ / 10⁻² (44 / 45 %); learning rate
#   3·10⁻⁴ for 30 epochs (43 %, seeds 0–2); a first convolution with stride 4 instead of 10,
#   i.e. 2.5 times the time resolution (43 %); a log-mel front-end (64 bands, 10 ms hop, via
#   `torch.stft`) in place of the first convolution (38 %); mean *and* standard deviation over
#   time instead of the mean alone (43 %); four times the data *and* 30 epochs (full size,
#   seeds 0–1: 43 / 43 %, held-out source 41 / 52 %).
#
# Which cues carry B's known-class contrasts? The same SVM inside B, on one group of ComParE
# functionals at a time (`benchmarks/shift_within.py`, second table):

# %%
cues = pd.read_csv("../results/synthetic/shift_within_cues.csv")
cue_table = cues.pivot(index="cues", columns="shift", values="within_known_uar")
cue_table = cue_table.loc[["all"] + [c for c in cue_table.index if c != "all"]]
cue_table.columns = [f"shift {c:g}" for c in cue_table.columns]
print(f"SVM within {cues['corpus'].iloc[0]}, 3 known classes, UAR %; data: {cues['data'].iloc[0]}, "
      f"generator version {cues['generator_version'].iloc[0]}, scale {cues['scale'].iloc[0]}, "
      f"corpus seed {cues['corpus_seed'].iloc[0]}")
cue_table.round(1)

# %% tags=["remove-input"]
# the numbers the text quotes (myst-nb glue)
lo_cues = cue_table["shift 0.5"]
glue("cue_f0_lo", float(lo_cues["F0"]), display=False)
glue("cue_vq_lo", float(lo_cues.filter(like="voice quality").iloc[0]), display=False)
glue("cue_en_lo", float(lo_cues["energy, loudness"]), display=False)
glue("cue_spec_lo", f"{lo_cues[['MFCC', 'auditory spectrum', 'other spectral']].min():.0f}–"
     f"{lo_cues[['MFCC', 'auditory spectrum', 'other spectral']].max():.0f}", display=False)
glue("cue_all_lo", float(lo_cues["all"]), display=False)
spectral_one = cue_table.loc[["MFCC", "auditory spectrum", "other spectral"], "shift 1"]
glue("cue_spec_one", f"{spectral_one.min():.0f}–{spectral_one.max():.0f}", display=False)

# %% [markdown]
# At shift 0.5 the contrast sits in the cues that describe the glottal cycle: voice quality
# alone (voicing, jitter, shimmer, harmonics-to-noise ratio) gives {glue:text}`cue_vq_lo:.0f` %,
# nearly all of the {glue:text}`cue_all_lo:.0f` % of every functional together, and F0 alone
# {glue:text}`cue_f0_lo:.0f` %; energy gives {glue:text}`cue_en_lo:.0f` % and the spectral groups
# (MFCC, auditory spectrum, other spectral descriptors) {glue:text}`cue_spec_lo` % (chance 33 %).
# ComParE measures jitter and shimmer period by period; the network sees the waveform through a
# first convolution of 15 samples with stride 10, pooled to 40 ms steps, and has to learn such
# measurements from a few dozen clips. What it reaches on held-out source clips (about 50 %)
# is about what the spectral groups carry. At shift 1 the spectral groups carry much more
# ({glue:text}`cue_spec_one` %), and the network's held-out source accuracy rises with them
# (table above). A direct test (a probe for issue #10, not stored in `results/`): stand-ins
# whose emotions do not differ in voice quality — jitter, shimmer and breathiness at the
# neutral values for every emotion, with no random deviation in them; everything else, seeds
# included, unchanged. At shift 0.5, corpus seed 0, the SVM on B → C's known classes falls
# from 58.0 to 50.7 % (within B from 59.0 to 52.1 %; its voice-quality functionals alone from
# 58.3 to 41.6 %), while source-only STIENet barely moves: 42.5 % against 44.2 % (model seeds
# 0–3). The gap shrinks from 13.8 to 8.2 points. So about 6 of its 14 points on this draw are
# voice-quality cues that ComParE measures and the network does not pick up. The front-end
# changes above (stride 4, log-mel) did not make it pick them up either.
#
# ## The check on five corpus draws
#
# The sweep measures the check on one draw of the stand-ins (corpus seed 0), and the SVM's
# {glue:text}`svm3_lo:.0f` % there is {glue:text}`sos_seed0_rank` of the five draws below. `python benchmarks/source_only_seeds.py` repeats it on
# corpus seeds 0–4 — other speakers, utterances and corpus deltas, same generator — with four
# model seeds of source-only STIENet per draw (same budget and recipe as the sweep):

# %%
sos = pd.read_csv("../results/synthetic/source_only_seeds.csv")
draws = pd.DataFrame({"SVM (3 known), UAR %": sos[sos["method"] == "SVM (3 known)"].set_index("corpus_seed")["score"]})
for name, short in (("source-only", "default"), ("source-only, fine front-end", "fine")):
    net = sos[sos["method"] == name].groupby("corpus_seed")["score"]
    if len(net):
        draws[f"{short}: OS* %, mean"] = net.mean()
        draws[f"{short}: min–max"] = [f"{a:.0f}–{b:.0f}" for a, b in zip(net.min(), net.max())]
        draws[f"{short}: gap (points)"] = draws["SVM (3 known), UAR %"] - draws[f"{short}: OS* %, mean"]
draws.loc["mean"] = draws.mean(numeric_only=True)
print(f"B -> C, shift {sos['shift'].iloc[0]}, scale {sos['scale'].iloc[0]}, "
      f"{sos[sos['method'] == 'source-only'].groupby('corpus_seed').size().iloc[0]} model seeds per "
      f"corpus seed; data: {sos['data'].iloc[0]}, generator version {sos['generator_version'].iloc[0]}")
draws.round(1).fillna("")

# %% tags=["remove-input"]
# the numbers the text quotes (myst-nb glue)
import numpy as np  # noqa: E402

per_draw_svm = draws.drop(index="mean")["SVM (3 known), UAR %"]
per_draw_net = draws.drop(index="mean")["default: OS* %, mean"]
glue("sos_gap", float(draws.loc["mean", "default: gap (points)"]), display=False)
glue("sos_svm", float(draws.loc["mean", "SVM (3 known), UAR %"]), display=False)
glue("sos_net", float(draws.loc["mean", "default: OS* %, mean"]), display=False)
per_draw = draws.drop(index="mean")["default: gap (points)"]
glue("sos_gap_range", f"{per_draw.min():.0f}–{per_draw.max():.0f}", display=False)
glue("sos_within10", int((per_draw <= 10).sum()), display=False)
glue("sos_draws", len(per_draw), display=False)
rank = int((per_draw_svm > per_draw_svm.loc[0]).sum()) + 1
glue("sos_seed0_rank", "the highest" if rank == 1 else f"number {rank} from the top", display=False)
if "fine: gap (points)" in draws:
    fine_gap = draws.drop(index="mean")["fine: gap (points)"]
    glue("sos_fine_net", float(draws.loc["mean", "fine: OS* %, mean"]), display=False)
    glue("sos_fine_gap", float(draws.loc["mean", "fine: gap (points)"]), display=False)
    glue("sos_fine_range", f"{fine_gap.min():.0f}–{fine_gap.max():.0f}", display=False)
    glue("sos_fine_within10", int((fine_gap <= 10).sum()), display=False)
glue("sos_corr", float(np.corrcoef(per_draw_svm, per_draw_net)[0, 1]), display=False)

# %% [markdown]
# Averaged over the five draws the SVM reaches {glue:text}`sos_svm:.1f` % and source-only STIENet
# {glue:text}`sos_net:.1f` %: a gap of {glue:text}`sos_gap:.1f` points ({glue:text}`sos_gap_range`
# per draw; within 10 points on {glue:text}`sos_within10` of {glue:text}`sos_draws` draws). So the
# sweep's single draw overstates the gap, but issue #10's check still narrowly fails on average.
# The two models rise and fall together from draw to draw (correlation of the per-draw scores
# {glue:text}`sos_corr:.2f`): a draw that is hard for the SVM tends to be hard for the network,
# so the check compares them draw by draw, with the network's model seeds averaged.
#
# **A finer first block** (the *fine* columns, `--fine`). The default first block samples its
# 15-tap filters at every tenth sample (stride 10) and max-pools over 4 of those samples; jitter
# and shimmer live in single glottal cycles (3–10 ms), which such sparse samples of a filtered
# waveform alias rather than measure. The fine block convolves at every sample and max-pools over
# 40, i.e. it keeps the envelope of each filter's output; both reach the same 75 LSTM steps of
# 40 ms, so only the first block changes (the paper gives the kernels, not the strides). On the
# same five draws it reaches {glue:text}`sos_fine_net:.1f` % OS\*, a gap of
# {glue:text}`sos_fine_gap:.1f` points to the SVM ({glue:text}`sos_fine_range` per draw; within 10
# points on {glue:text}`sos_fine_within10` of {glue:text}`sos_draws` draws): with it, the check
# passes on average, by a small margin (it gains 2–3 points on four draws and none on the
# fifth). On the stand-ins without voice-quality differences (above) its lead over the default
# block shrinks from 2.5 to 0.9 points (seed-0 draw, model seeds 0–3: 43.3 against 42.5 %), so
# part of what it gains is those cues. It is not the default because it trains about 2.5 times
# slower (`python benchmarks/train_speed.py --fine`: 63–71 clips/s against 155–177 for the
# default on this 2-core CPU, 2026-11-27; issue #10 asks ≥ 150 of the default), which would
# stretch every STIENet sweep as much. To use it: `TrainConfig(model=FINE_FIRST_BLOCK)`, i.e.
# `ModelConfig(first_stride=1, pools=(40, 4, 2, 2))` ({class}`stienet.model.ModelConfig`).
#
# Two measurements from earlier runs bound what limits the network on the default stand-ins:
# data size was not it on S → e (generator version 2, `paper` preset, 10 epochs: 42 % known-class
# accuracy at scale 0.25 and at full size), and on pairs the stand-ins invert, no model
# transfers (S → B: the ComParE SVM reaches {glue:text}`svm_sb:.0f` % UAR on the three known classes,
# `benchmarks/shallow_reference.py`; {doc}`07_results_pairs`). Chapter {doc}`12_open_preset`
# compares the network with that shallow reference pair by pair.
