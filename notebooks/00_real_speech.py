# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec,jupytext
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Results on real speech
#
# This chapter shows what STIENet does on **real** emotional speech: three public corpora,
# the six ordered pairs between them, each run trained on one whole corpus and tested on
# another whole corpus. It shows the paper's recipe next to the paper's own numbers, how its
# unknown score ranks each target emotion, and its confusion matrices. Its last part runs the
# SATNMF paper's closed-set protocol on the same corpora: where the factorisation loses what a
# linear SVM on the features uses, settings chosen on the source alone, and the paper's oracle
# search on its B2C scheme. It reads the result files committed under `results/real/`; no
# audio is needed to build it.
#
# **The data.** EmoDB (**B**, German, 535 clips), CASIA (**C**, Mandarin, 1200 clips: 4
# speakers × 6 emotions × 50; the STIENet paper's Table 1 counts 900) and RAVDESS (**ravdess**,
# English, 1440 speech clips, 24 actors, 8 emotions including *calm*), from public mirrors
# unpacked by `shared/realdata/unpack.sh`. Each result stores the `sha256_of_files` digest of
# its corpora (printed below). **The EmoDB clips are excerpts, not the corpus as published:**
# every clip is cut or zero-padded to exactly 2.00 s at 22.05 kHz, so numbers on the full-length
# EmoDB (`python -m stienet download emodb`) will differ. Known classes: anger, fear,
# happiness; every other emotion of the target (boredom, disgust, neutral, sadness, surprise,
# calm) is *unknown*.
#
# **The protocol.** `python -m stienet sweep pairs --data-root DEST --corpora B C
# DEST/ravdess/manifest.csv --presets paper --epochs 30 --seeds …`: 30 epochs, the model after
# the last epoch, no target label used in training or in the decision. The paper reports the
# best of 10 seeds; this chapter gives the mean ± std over the seeds run so far, and the best
# seed separately (selecting it uses target labels).

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from myst_nb import glue

from stienet.report import (load_results, num, over_seeds, pair_label, paper_numbers, pm,
                            summed_confusion, unknown_by_emotion)
from stienet.results import load_result

pd.set_option("display.width", 200)
pairs = load_results("../results", "real", "pairs")
stienet = pairs[pairs["method"] == "STIENet"]
first = load_result(stienet["path"].iloc[0])
digests = {c: (p or {}).get("sha256_of_files") for c, p in first["provenance"].items()}
for run in stienet["path"]:
    for c, p in load_result(run)["provenance"].items():
        digests.setdefault(c, (p or {}).get("sha256_of_files"))
print("data: real; corpora and sha256_of_files: "
      + ", ".join(f"{c} {(d or 'absent')[:12]}" for c, d in sorted(digests.items())))
print(f"STIENet runs: {len(stienet)}; presets {sorted(stienet['preset'].unique())}; "
      f"seeds {sorted(stienet['seed'].unique().tolist())}; epochs {sorted(stienet['epochs'].unique().tolist())}; "
      "model: last epoch")

# %% [markdown]
# ## STIENet as printed (`paper` preset)
#
# Mean ± std over seeds (percent); below it, the number of seeds, the number of runs flagged
# degenerate ({func}`stienet.metrics.degeneracy_modes`) and the best seed's OS and OS\*, beside
# the paper's Table 2 cells for B → C and C → B (the paper has no RAVDESS).

# %%
METRICS = ["OS", "OS*", "UNK", "H", "AUROC", "closed OS*"]
ORDER = ["B_C", "C_B", "B_ravdess", "ravdess_B", "C_ravdess", "ravdess_C"]


def span(values) -> str:
    """'min–max' of a column, as the text quotes it."""
    return f"{num(min(values))}–{num(max(values))}"

paper = paper_numbers("STIENet")
paper = paper[paper["method"] == "STIENet"].pivot(index="pair", columns="metric", values="percent")


def preset_table(preset: str) -> pd.DataFrame:
    runs = stienet[stienet["preset"] == preset]
    stats = over_seeds(runs, ["pair"], METRICS)
    rows = []
    for pair in [p for p in ORDER if p in stats.index]:
        s = stats.loc[pair]
        row = {"pair": pair_label(pair), "seeds": int(s[("seeds", "n")])}
        row.update({m: pm(s[(m, "mean")], s[(m, "std")]) for m in METRICS})
        row["degenerate"] = int(runs[runs["pair"] == pair]["collapsed"].sum())
        row["best OS"], row["best OS*"] = num(s[("OS", "max")]), num(s[("OS*", "max")])
        row["paper OS"] = num(paper["OS"].get(pair), 2) if pair in paper.index else "—"
        row["paper OS*"] = num(paper["OS*"].get(pair), 2) if pair in paper.index else "—"
        rows.append(row)
    return pd.DataFrame(rows).set_index("pair")


paper_table = preset_table("paper")
paper_table[METRICS]

# %%
paper_table.drop(columns=METRICS)

# %%
means = stienet[stienet["preset"] == "paper"].groupby("pair")[METRICS].mean()
glue("real_paper_unk", num(means["UNK"].mean()), display=False)
glue("real_paper_auroc", num(means["AUROC"].mean()), display=False)
glue("real_paper_closed", num(means["closed OS*"].mean()), display=False)
glue("real_paper_osstar", num(means["OS*"].mean()), display=False)
degenerate = stienet[stienet["preset"] == "paper"]
glue("real_paper_degenerate", f"{int(degenerate['collapsed'].sum())} of {len(degenerate)}", display=False)
modes = degenerate["degenerate"].str.split(", ").explode().value_counts()
print("degeneracy modes among the paper-preset runs:",
      {k: int(v) for k, v in modes.items() if k})
glue("real_paper_auroc_range", span(means["AUROC"]), display=False)
paper_runs = stienet[stienet["preset"] == "paper"].groupby("pair")["OS*"]
glue("real_bc_mean", num(paper_runs.mean()["B_C"]), display=False)
glue("real_bc_best", num(paper_runs.max()["B_C"]), display=False)
glue("real_cb_mean", num(paper_runs.mean()["C_B"]), display=False)
glue("real_cb_best", num(paper_runs.max()["C_B"]), display=False)
glue("real_paper_closed_range", span(means["closed OS*"]), display=False)

# %% [markdown]
# Averaged over the pairs, the paper's recipe calls **{glue:text}`real_paper_unk` %** of the
# unknown clips unknown. On real speech Eq 1–5 as printed learn the known classes
# (OS\* {glue:text}`real_paper_osstar` % on average, closed OS\* {glue:text}`real_paper_closed_range` %
# per pair, against 33 % by chance) but the unknown output almost never wins the arg-max:
# {glue:text}`real_paper_degenerate` runs are degenerate, and the modes printed above say why.
# Its probability ranks the clips only weakly: the AUROC of p(unknown) is
# {glue:text}`real_paper_auroc_range` % per pair ({glue:text}`real_paper_auroc` % on average;
# 50 = chance). Both the operating point and most of the ranking are missing. The known
# classes alone come nearer the paper: OS\* on B → C is {glue:text}`real_bc_mean` % over the
# seeds and {glue:text}`real_bc_best` % for the best seed, beside the paper's 60.56 % (best of 10
# seeds); on C → B it is {glue:text}`real_cb_mean` % and {glue:text}`real_cb_best` %, beside
# 80.48 %.

# %% [markdown]
# ## A shallow reference: how separable the unknown clips are
#
# `python benchmarks/shallow_reference.py` works on ComParE functionals (6373-d, scaled to
# [0, 1] per speaker; the SATNMF paper's pipeline). It trains a linear SVM on the source's known
# classes and scores it on the target's known-class clips: the number to hold STIENet's closed
# OS\* against. Five threshold-free unknown scores then say how far rejection can get, each as
# the AUROC with which it ranks the target's unknown clips above its known ones (50 = chance):
#
# * **confidence**: 1 − max-probability of a logistic regression trained on the source's known
#   classes — the usual score, and the one the `open` preset trains towards "unknown";
# * **distance**: distance to the nearest source class centroid (50 principal components);
# * **cluster**: the target clustered without labels (k-means, k = 8), each cluster scored by
#   how uncertain the source classifier is about it;
# * **source other (beyond the protocol)**: a logistic regression of the source's known clips
#   against the source's *other* emotions — labels the open-set protocol does not give STIENet;
# * **within target (uses target labels)**: the same regression trained inside the target,
#   four speaker-disjoint folds: how separable its unknown clips are without a corpus shift.

# %%
reference = pd.read_csv("../results/real/shallow_reference.csv").set_index("pair")
closed = stienet[stienet["preset"] == "paper"].groupby("pair")["closed OS*"].mean()
compare = pd.DataFrame({"SVM, closed (%)": reference["svm_uar"],
                        "STIENet paper, closed OS* (%)": closed.round(1),
                        "confidence": reference["confidence_auroc"],
                        "distance": reference["distance_auroc"],
                        "cluster": reference["cluster_auroc"],
                        "source other": reference["source_other_auroc"],
                        "within target": reference["within_target_auroc"]})
compare = compare.reindex([p for p in ORDER if p in compare.index])
compare.index = [pair_label(p) for p in compare.index]
glue("real_beats_svm", f"{int((compare.iloc[:, 1] >= compare.iloc[:, 0]).sum())} of {len(compare)}",
     display=False)
glue("real_conf_range", span(compare["confidence"]), display=False)
glue("real_conf_inverted", ", ".join(compare.index[compare["confidence"] < 45]), display=False)
glue("real_other_range", span(compare["source other"]), display=False)
glue("real_within_range", span(compare["within target"]), display=False)
compare

# %% [markdown]
# Without target labels, plain confidence ranks the unknown clips at
# {glue:text}`real_conf_range` % and *below chance* on {glue:text}`real_conf_inverted`: on
# those pairs the target's known emotions are the ones a source classifier is least sure
# of, so a recipe that turns the least-confident target clips into "unknown" rejects the
# wrong clips. The unknown clips are far from unreachable: inside each target they separate
# from the known ones at {glue:text}`real_within_range` %, and a score trained on the
# *source's* other emotions reaches {glue:text}`real_other_range` % across the corpus shift —
# but those labels lie outside the open-set protocol, so that is a bound, not a result.

# %% [markdown]
# ## Level and padding by emotion
#
# Can loudness alone tell the known emotions from the others, before any model? For every clip
# at its own sample rate, `python benchmarks/level_by_emotion.py` measures the RMS level over the
# whole clip, the peak, and the share of trailing exact zeros (the padding of the EmoDB
# excerpts). The table gives the mean per emotion; below it, the AUROC with which each measure
# *alone* ranks the other emotions above the known ones (50 = chance). This is a diagnosis
# that reads the target labels, not a choice of the recipe.

# %%
levels = pd.read_csv("../results/real/level_by_emotion.csv")
level_table = levels.pivot_table(index="emotion", columns="corpus",
                                 values=["rms_dbfs", "peak_dbfs", "trailing_zero_pct"])
level_table = level_table.reindex(columns=["B", "C", "ravdess"], level=1).round(1)
level_table = level_table.reindex(columns=["rms_dbfs", "peak_dbfs", "trailing_zero_pct"], level=0)
level_table = level_table.rename(columns={"rms_dbfs": "RMS (dBFS)", "peak_dbfs": "peak (dBFS)",
                                          "trailing_zero_pct": "trailing zeros (%)", "ravdess": "R"})
level_auroc = pd.read_csv("../results/real/level_by_emotion_auroc.csv").set_index("corpus")
for corpus in ("B", "C", "ravdess"):
    glue(f"real_level_auroc_{corpus}", num(level_auroc.loc[corpus, "rms_dbfs"], 1), display=False)
glue("real_pad_fear", num(levels.set_index(["corpus", "emotion"]).loc[("B", "fear"), "trailing_zero_pct"], 1),
     display=False)
glue("real_pad_sad", num(levels.set_index(["corpus", "emotion"]).loc[("B", "sadness"), "trailing_zero_pct"], 1),
     display=False)
glue("real_level_quiet_ravdess", num(100 - level_auroc.loc["ravdess", "rms_dbfs"], 1), display=False)
b_peaks = levels[levels["corpus"] == "B"]["peak_dbfs"]
glue("real_b_peak_low", num(b_peaks.min(), 1).replace("-", "−"), display=False)
glue("real_b_peak_high", num(b_peaks.max(), 1).replace("-", "−"), display=False)
level_table.astype(object).where(level_table.notna(), "—")

# %%
level_auroc[["rms_dbfs", "peak_dbfs", "trailing_zero_pct"]]

# %% [markdown]
# Level separates known from unknown clips, and in **opposite directions** on different
# corpora. In RAVDESS the unknown emotions (calm, sadness, neutral, disgust, surprise) are
# quieter: RMS ranks them above the known ones at {glue:text}`real_level_auroc_ravdess` %, so
# the reverse rule, "quiet means unknown", reaches {glue:text}`real_level_quiet_ravdess` %.
# The EmoDB excerpts peak between {glue:text}`real_b_peak_low` and
# {glue:text}`real_b_peak_high` dBFS on average for every emotion, which looks like each clip
# was normalised to its own peak. With the peak fixed, high-arousal speech (anger, fear,
# happiness) has the *lower* RMS, and RMS ranks EmoDB's unknown clips above its known ones at
# {glue:text}`real_level_auroc_B` %: there "loud means unknown". CASIA sits between
# ({glue:text}`real_level_auroc_C` %). A score that tracks level or arousal therefore flips
# between corpora — one candidate cause of the inverted unknown scores above (C → B). Trailing
# zeros differ by emotion only in EmoDB ({glue:text}`real_pad_fear` % of the samples of fear
# clips, {glue:text}`real_pad_sad` % of sadness clips) and alone rank at about chance.

# %% [markdown]
# STIENet as printed reaches the SVM's known-class accuracy on {glue:text}`real_beats_svm` pairs.
#
# The shallow open-set baselines of the paper's Tables 2–3 on the same pairs and features
# (mean over seeds, percent; {mod}`stienet.baselines`). OSNN chooses its distance-ratio threshold
# on the source alone, leaving one speaker out, for the best H of known-class accuracy and
# rejection; TNMF uses the same rule on its codes and DAOD for its first pseudo labels. As the
# papers set it (random halves of the source for OSNN, the normalised accuracy with λ = 0.5,
# DAOD's t = 0.5) every real target clip was called unknown ({mod}`stienet.baselines.osnn`).

# %%
shallow = pairs[pairs["method"] != "STIENet"]
BASE = ["OS*", "UNK", "H", "AUROC", "closed OS*"]
stats = over_seeds(shallow, ["method", "pair"], BASE)
baselines = stats.xs("mean", axis=1, level=1).round(1)
baselines.insert(0, "seeds", stats[("seeds", "n")])
baselines["degenerate"] = shallow.groupby(["method", "pair"])["collapsed"].sum()
nondeg = baselines.groupby(level="method")["degenerate"].apply(lambda d: int((d == 0).sum()))
print("pairs with no degenerate run, per method:", nondeg.to_dict())
spread = stats.xs("std", axis=1, level=1).groupby(level="method").max().max(axis=1)
glue("real_same_every_seed", ", ".join(spread.index[spread == 0]) or "none", display=False)
for method in baselines.index.get_level_values("method").unique():
    for m in ["H", "UNK", "OS*"]:
        glue(f"real_{method}_{m}", span(baselines.loc[method, m]), display=False)
baselines.rename(index=pair_label, level="pair")

# %% [markdown]
# With that source-only choice, **DAOD** reaches H {glue:text}`real_DAOD_H` % per pair, the
# only baseline here that both keeps known clips and rejects unknown ones on most pairs.
# **OSNN** and **TNMF** now reject, but indiscriminately: UNK {glue:text}`real_OSNN_UNK` % and
# {glue:text}`real_TNMF_UNK` %, with OS\* of only {glue:text}`real_OSNN_OS*` % and
# {glue:text}`real_TNMF_OS*` % — a target clip's nearest-neighbour distance ratio is as high as
# that of a new class, known or not. **ATI** almost never rejects (UNK {glue:text}`real_ATI_UNK` %).
# The leave-one-speaker-out choice has no random part, so the seeds of
# {glue:text}`real_same_every_seed` give the same numbers: one outcome, not five.

# %% [markdown]
# ## The unknown score, per target emotion
#
# Mean p(unknown) of each target emotion (percent, `paper` preset, mean over seeds). A model
# that rejects puts the unknown emotions (marked `·`) above the known ones.

# %%
by_emotion = unknown_by_emotion(stienet[stienet["preset"] == "paper"])
table = (by_emotion.groupby(["pair", "emotion", "known"])["p_unknown"].mean().round(2)
         .reset_index())
table["emotion"] = [e if k else f"· {e}" for e, k in zip(table["emotion"], table["known"])]
wide = table.pivot(index="emotion", columns="pair", values="p_unknown")
wide = wide[[p for p in ORDER if p in wide.columns]]
wide.columns = [pair_label(p) for p in wide.columns]
top = table.loc[table.groupby("pair")["p_unknown"].idxmax()]
glue("real_top_emotion", "; ".join(f"{pair_label(r.pair)}: {r.emotion.lstrip('· ')}"
                                   + ("" if not r.known else " (a known class)")
                                   for r in top.set_index("pair").loc[[p for p in ORDER if p in set(top["pair"])]]
                                   .reset_index().itertuples()), display=False)
wide.astype(object).where(wide.notna(), "").sort_index(key=lambda idx: [(i.startswith("·"), i) for i in idx])

# %% [markdown]
# ## Source accuracy, target accuracy and the unknown score during training
#
# Each run holds out 10 % of the source clips per class. The table sets the accuracy on them
# (after the last epoch) beside the target's closed OS\*: how much of what the network learns
# about the source survives the corpus shift. The figure follows the AUROC of p(unknown) on
# the target epoch by epoch (`paper` preset, mean over seeds; read from each run's history).

# %%
histories = {}
for _, run in stienet[stienet["preset"] == "paper"].iterrows():
    h = pd.DataFrame(load_result(run["path"])["history"])
    histories.setdefault(run["pair"], []).append(h.set_index("epoch"))
transfer = pd.DataFrame({
    "held-out source accuracy (%)": {p: 100 * np.mean([h["source_acc"].iloc[-1] for h in hs])
                                     for p, hs in histories.items()},
    "target closed OS* (%)": {p: 100 * np.mean([h["closed OS*"].iloc[-1] for h in hs])
                              for p, hs in histories.items()}}).round(1)
transfer["lost (points)"] = (transfer.iloc[:, 0] - transfer.iloc[:, 1]).round(1)
transfer = transfer.reindex([p for p in ORDER if p in transfer.index])
glue("real_source_acc_range", span(transfer.iloc[:, 0]), display=False)
glue("real_lost_range", span(transfer["lost (points)"]), display=False)
transfer.index = [pair_label(p) for p in transfer.index]
transfer

# %%
fig, ax = plt.subplots(figsize=(6, 3))
peaks = {}
for pair in [p for p in ORDER if p in histories]:
    auroc = pd.concat([h["AUROC"] for h in histories[pair]], axis=1).mean(axis=1)
    ax.plot(auroc.index, 100 * auroc, label=f"{pair_label(pair)} ({len(histories[pair])})")
    peaks[pair] = 100 * auroc.max()
ax.axhline(50, color="grey", lw=0.8, ls="--")
glue("real_auroc_peak_range", span(list(peaks.values())), display=False)
glue("real_unk_epoch_max", num(100 * max(h["UNK"].max() for hs in histories.values() for h in hs)),
     display=False)
ax.set_xlabel("epoch")
ax.set_ylabel("AUROC of p(unknown), %")
ax.legend(fontsize=7, ncol=2, title="pair (seeds)", title_fontsize=7)
fig.tight_layout()

# %% [markdown]
# The network learns the source well (held-out accuracy {glue:text}`real_source_acc_range` %
# per pair) and loses {glue:text}`real_lost_range` points of it on the target's known classes.
# The unknown score's ranking wanders from epoch to epoch around its final value, by ten
# points and more where a pair has one seed; its best epoch per pair reaches
# {glue:text}`real_auroc_peak_range` %, and at no epoch of any run does the arg-max call more
# than {glue:text}`real_unk_epoch_max` % of the unknown clips unknown. Choosing an epoch would itself need target
# labels.

# %% [markdown]
# ## Which unknown score, and which front-end? (one seed, a diagnosis)
#
# If p(unknown) ranks the clips only weakly, does another score that needs no target label do
# better? `python benchmarks/unknown_scores.py --data-root DEST --pairs … --frontend wave|logmel`
# trains one `paper` run per pair (seed 0, 30 epochs, last epoch) and scores every target clip
# seven ways: p(unknown); 1 − the max-softmax and the energy (−logsumexp) of the K known
# logits; in φ, the cosine distance to the nearest source class mean (*proto*), the mean
# distance to the 10 nearest source clips (*kNN*), the Mahalanobis distance to the nearest
# class mean (*Maha*, shared Ledoit–Wolf covariance); and *cluster*: k-means on the target
# (k = 6), each cluster scored by its centre's distance to the source class means. It does so
# for the paper's raw-waveform first block (*wave*) and for a log-mel front-end
# ({data}`stienet.model.LOGMEL`: 64 bands, 25-ms window, 10-ms hop through `torch.stft`, beyond
# the paper), and with the target passed through its own BatchNorm statistics (the presets'
# choice) or through the source's. The AUROC columns read the target labels: they say which
# score *would* work, and choose nothing. One seed: the previous section shows that a run's
# AUROC moves by ten points from one epoch to the next.

# %%
all_scores = pd.read_csv("../results/real/unknown_scores.csv")
all_scores["pair"] = all_scores["source"] + "_" + all_scores["target"]
all_scores["front-end"] = all_scores["variant"].str.split("-").str[1]
scores = all_scores[all_scores["seed"] == 0]
SCORE_NAMES = {"p_unknown": "p(unk)", "msp": "1−MSP", "energy": "energy", "prototype": "proto",
               "knn": "kNN", "mahalanobis": "Maha", "cluster": "cluster"}


def score_table(suffix: str, closed: str) -> pd.DataFrame:
    cols = {closed: "closed OS*", **{f"auroc_{k}{suffix}": v for k, v in SCORE_NAMES.items()}}
    t = scores.set_index(["pair", "front-end"])[list(cols)].rename(columns=cols)
    t = t.reindex([(p, f) for p in ORDER for f in ("wave", "logmel") if (p, f) in t.index])
    return t.rename(index=pair_label, level="pair")


own_bn = score_table("", "closed OS*")
src_bn = score_table("_srcbn", "closed OS* srcbn")
means = own_bn.groupby(level="front-end").mean()
best = means.drop(columns="closed OS*").stack().idxmax()
glue("real_score_best", f"{best[1]} with the {best[0]} front-end", display=False)
glue("real_score_best_mean", num(means.loc[best[0], best[1]]), display=False)
glue("real_score_best_min", num(own_bn.xs(best[0], level="front-end")[best[1]].min()), display=False)
n_pairs = own_bn.index.get_level_values("pair").nunique()
reaching = (own_bn.drop(columns="closed OS*").groupby(level="front-end").min() >= 55).sum().sum()
glue("real_score_reaching", str(int(reaching)), display=False)
glue("real_score_pairs", str(n_pairs), display=False)
svm = reference["svm_uar"].rename(index=pair_label)
closed = own_bn["closed OS*"].unstack("front-end")
glue("real_logmel_beats_svm", f"{int((closed['logmel'] >= svm.reindex(closed.index)).sum())} of {len(closed)}",
     display=False)
glue("real_wave_beats_svm", f"{int((closed['wave'] >= svm.reindex(closed.index)).sum())} of {len(closed)}",
     display=False)
glue("real_closed_wave_mean", num(closed["wave"].mean()), display=False)
glue("real_closed_logmel_mean", num(closed["logmel"].mean()), display=False)
srcbn_gain = (src_bn["closed OS*"] - own_bn["closed OS*"]).dropna()
glue("real_srcbn_gain_range", f"{num(srcbn_gain.min())} to +{num(srcbn_gain.max())}", display=False)
own_bn

# %%
src_bn

# %% [markdown]
# With each domain's own statistics (first table), the best score on average is
# {glue:text}`real_score_best` ({glue:text}`real_score_best_mean` % over the pairs), and it falls to
# {glue:text}`real_score_best_min` % on one pair. Of the fourteen score × front-end
# combinations, {glue:text}`real_score_reaching` stay at or above 55 % on all
# {glue:text}`real_score_pairs` pairs. Distances to the source in φ are inverted on C → B with
# the waveform block (the EmoDB clips nearest the CASIA source are its unknown ones), and
# the source's BatchNorm statistics (second table) do not repair the ranking: they flip it in
# opposite directions on different pairs, and move the known-class accuracy by
# {glue:text}`real_srcbn_gain_range` points. The log-mel front-end changes which pairs transfer
# rather than how well: closed OS\* {glue:text}`real_closed_logmel_mean` % on average against
# {glue:text}`real_closed_wave_mean` % for the waveform block, at or above the ComParE SVM on
# {glue:text}`real_logmel_beats_svm` pairs (the waveform block: {glue:text}`real_wave_beats_svm`).
# On one seed none of these is a recipe; they say that a score trained on the source alone,
# in this network, does not yet separate the real targets' unknown emotions.
#
# How much of this is the seed? The same runs with seed 1 on the paper's two pairs, beside
# seed 0 (AUROC with each domain's own statistics):

# %%
check = all_scores[all_scores["pair"].isin(["B_C", "C_B"])]
check = check.set_index(["pair", "front-end", "seed"])[["closed OS*"] + [f"auroc_{k}" for k in SCORE_NAMES]]
check = check.rename(columns={f"auroc_{k}": v for k, v in SCORE_NAMES.items()}).sort_index()
check = check.rename(index=pair_label, level="pair")
glue("real_seed_spread", num((check.groupby(level=["pair", "front-end"]).max()
                              - check.groupby(level=["pair", "front-end"]).min()).drop(columns="closed OS*").max().max()),
     display=False)
check

# %% [markdown]
# Between two seeds a score's AUROC on one pair moves by up to
# {glue:text}`real_seed_spread` points: single-seed differences between scores and front-ends
# are not findings until more seeds confirm them.

# %% [markdown]
# ## Confusion matrices
#
# Summed over seeds (`paper` preset); rows: true label of the target clip, columns: prediction.

# %%
cms = summed_confusion(stienet[stienet["preset"] == "paper"])
names = first["label_names"]
shown = [p for p in ORDER if p in cms]
fig, axes = plt.subplots(1, len(shown), figsize=(2.3 * len(shown), 2.6), squeeze=False)
for ax, pair in zip(axes[0], shown):
    cm = cms[pair]
    ax.imshow(cm / np.maximum(cm.sum(1, keepdims=True), 1), cmap="Blues", vmin=0, vmax=1)
    for i in range(cm.shape[0]):
        for j in range(cm.shape[1]):
            ax.text(j, i, int(cm[i, j]), ha="center", va="center", fontsize=6)
    ax.set_title(pair_label(pair), fontsize=8)
    ax.set_xticks(range(len(names)), [n[:3] for n in names], fontsize=6)
    ax.set_yticks(range(len(names)), [n[:3] for n in names], fontsize=6)
fig.tight_layout()

# %% [markdown]
# ## SATNMF on real speech (closed set, five classes)
#
# The SATNMF paper's protocol on the same real corpora: ComParE functionals (6373 per clip),
# each corpus scaled to [0, 1] per speaker on its own (SATNMF §2.1), the five classes of its
# B2C scheme (anger, fear, happiness, neutral, sadness), and a linear SVM on the source. Beside
# B2C (EmoDB → CASIA, the paper's scheme) run the same five classes between RAVDESS (**R**)
# and the other two: B2R, R2B, C2R, R2C. This section asks three things: where the
# factorisation loses what the SVM on the features uses; whether SATNMF as printed reaches
# that SVM when its settings are chosen on the source alone; and what the paper's oracle grid
# search buys on B2C.
#
# ### Where the codes lose the information (one trial, seed 0)
#
# `python benchmarks/satnmf_real.py --data-root DEST` fits, with the package defaults
# (r = 128, α = 1, β = γ = 100, λ = 1, p = 5) and one initialisation, plain NMF
# (α = β = γ = λ = 0), the paper's special cases, SATNMF and TNMF, and scores the same linear
# SVM (C = 1) on each one's codes V. PCA of both corpora at the same rank is the control: a
# rank-r summary with neither non-negativity nor transfer. The target labels only score.

# %%
diag = pd.read_csv("../results/real/satnmf_diagnosis.csv")


def signed_span(values) -> str:
    """'from −a to +b' of a column of differences, as the text quotes it."""
    return f"from {min(values):+.1f} to {max(values):+.1f}".replace("-", "−")


SCHEMES5 = ["B2C", "B2R", "R2B", "C2R", "R2C"]
print("corpora and sha256_of_files: " + ", ".join(
    f"{c} {d[:12]}" for c, d in sorted({**dict(zip(diag["source"], diag["sha256_source"])),
                                         **dict(zip(diag["target"], diag["sha256_target"]))}.items())))
spk = diag[diag["scaling"] == "speaker"]
CODE_METHODS = ["PCA (both corpora)", "NMF", "SNMF", "SNMF-γ", "STNMF-λ", "SATNMF", "TNMF"]
at128 = spk[(spk["r"] == 128) | (spk["method"] == "SVM (features)")]
codes = at128.pivot_table(index="scheme", columns="method", values="UAR_svm")
codes = codes.reindex(index=SCHEMES5, columns=["SVM (features)"] + CODE_METHODS)
loss = codes[CODE_METHODS].sub(codes["SVM (features)"], axis=0)
glue("satnmf_real_nmf_loss", signed_span(loss["NMF"]), display=False)
glue("satnmf_real_pca_loss", signed_span(loss["PCA (both corpora)"]), display=False)
glue("satnmf_real_satnmf_wins", f"{int((loss['SATNMF'] >= 0).sum())} of {len(loss)}", display=False)
label_gain = codes["SNMF"] - codes["NMF"]
glue("satnmf_real_label_gain", signed_span(label_gain), display=False)
codes.columns.name = "UAR (%) of the SVM on"
codes.round(1)

# %% [markdown]
# At r = 128, the SVM on plain NMF's codes minus the SVM on the features ranges
# {glue:text}`satnmf_real_nmf_loss` points over the schemes, and on PCA's codes of the same
# rank {glue:text}`satnmf_real_pca_loss`: a 128-dimensional summary of both corpora drops part of what the linear
# SVM uses, most on B2C. The label term (SNMF minus NMF) ranges
# {glue:text}`satnmf_real_label_gain` points: it helps on B2C, R2B and R2C and costs on B2R and
# C2R. SATNMF at r = 128 is at or above the SVM on {glue:text}`satnmf_real_satnmf_wins`
# schemes. The rank, one trial each:

# %%
ranks = spk[spk["method"].isin(["SATNMF", "PCA (both corpora)"])]
ranks = ranks.pivot_table(index=["scheme", "method"], columns="r", values="UAR_svm")
ranks = ranks.reindex([(s, m) for s in SCHEMES5 for m in ("SATNMF", "PCA (both corpora)")])
ranks.insert(0, "SVM (features)", [codes.loc[s, "SVM (features)"] for s, _ in ranks.index])
ranks.columns = [c if isinstance(c, str) else f"r = {c}" for c in ranks.columns]
ranks.round(1).astype(object).where(ranks.notna(), "—")

# %% [markdown]
# What the other measurements of the same fits say (SATNMF, r = 128): the relative
# reconstruction error ‖X − UV‖²/‖X‖², the label residual per source clip, the SVM on
# standardised codes (is C = 1 wrong for the codes' scale?), on codes re-computed from the
# learnt basis by the reconstruction term alone (does the label term's pull on the source
# codes only — the target has no labels — leave the two domains' codes apart?), arg-max HV
# (the label term's own classifier), and the pseudo labels Eq 5 starts from (the SVM on the
# features, the same as the first column above).

# %%
sat = spk[(spk["method"] == "SATNMF") & (spk["r"] == 128)].set_index("scheme").reindex(SCHEMES5)
checks = pd.DataFrame({
    "SVM on V": sat["UAR_svm"], "standardised V": sat["UAR_svm_standardised"],
    "re-coded V": sat["UAR_svm_recoded"], "arg-max HV": sat["UAR_argmax_HV"],
    "pseudo labels": codes["SVM (features)"],
    "recon. error": sat["recon_rel"].round(3),
    "label residual / clip": sat["label_residual_per_clip"].map(lambda v: f"{v:.4f}")})
recode_gain = checks["re-coded V"] - checks["SVM on V"]
std_gain = checks["standardised V"] - checks["SVM on V"]
glue("satnmf_real_recode_gain", signed_span(recode_gain), display=False)
glue("satnmf_real_std_gain", signed_span(std_gain), display=False)
glue("satnmf_real_recon", span(100 * sat["recon_rel"]), display=False)
checks.round({c: 1 for c in checks.columns[:5]})

# %% [markdown]
# The residual holds {glue:text}`satnmf_real_recon` % of the features' energy, and the codes
# fit the source labels almost exactly (the residual per clip is about a thousandth of a one-hot
# row). Standardising the codes changes UAR {glue:text}`satnmf_real_std_gain` points, so the
# codes' scale under C = 1 is not the cause. Re-coding both domains with the learnt basis by
# reconstruction alone changes it {glue:text}`satnmf_real_recode_gain`: the label term's cost
# on B2R and C2R is not a pull on the source codes that the target codes lack, it is in the
# basis U that the label term shapes (on C2R plain NMF's codes are within a point of the SVM,
# SATNMF's six points below it). Scaling per corpus instead of per speaker (not the paper's
# choice) changes every column, the SVM's too:

# %%
scal = diag[diag["method"].isin(["SVM (features)", "NMF", "SATNMF"])
            & ((diag["r"] == 128) | (diag["method"] == "SVM (features)"))]
scal = scal.pivot_table(index="scheme", columns=["method", "scaling"], values="UAR_svm")
scal.reindex(SCHEMES5)[[(m, s) for m in ("SVM (features)", "NMF", "SATNMF") for s in ("speaker", "corpus")]].round(1)

# %% [markdown]
# ### Settings chosen on the source alone
#
# `python -m stienet sweep satnmf --schemes B2C B2R R2B C2R R2C --methods SVM SATNMF` runs the
# package defaults (SVM: C = 1; SATNMF: r = 128, 5 voted trials); `sweep satnmf-source-cv`
# chooses each method's grid by leave-one-speaker-out on the *source* corpus (each held-out
# speaker's clips play the unlabelled target; no target clip is seen): the SVM's C over
# SATNMF §3.2's seven values, SATNMF's r over {64, 128, 256} (one initialisation per fold, five
# voted in the final fit). The SVM has no random part, so its seeds agree; SATNMF's seed moves
# its initialisations.

# %%
def closed_runs(sweep: str) -> pd.DataFrame:
    runs = load_results("../results", "real", sweep)
    if runs.empty:
        return runs
    runs = runs[runs["method"].isin(["SVM", "SATNMF"]) & runs["tag"].isin(SCHEMES5)].copy()
    records = [load_result(p) for p in runs["path"]]
    runs["chosen"] = [", ".join(f"{k} = {v:g}" for k, v in rec["method_params"].items()
                                if k in (rec.get("source_cv_grid") or {})) for rec in records]
    runs["source_best"] = [100 * max(r["UAR"] for r in rec["source_cv_search"])
                           if rec.get("source_cv_search") else np.nan for rec in records]
    return runs


fixed_runs, cv_runs = closed_runs("satnmf"), closed_runs("satnmf-source-cv")
rows = []
for scheme in SCHEMES5:
    row = {"scheme": scheme}
    for label, runs in (("fixed", fixed_runs), ("source-cv", cv_runs)):
        for method in ("SVM", "SATNMF"):
            part = runs[(runs["tag"] == scheme) & (runs["method"] == method)] if len(runs) else runs
            row[f"{method} {label}"] = pm(part["UAR"].mean(), part["UAR"].std()) if len(part) else "—"
            row[f"{method} {label} n"] = len(part)
            if label == "source-cv" and len(part):
                row[f"{method} chosen"] = "; ".join(sorted(set(part["chosen"])))
                row[f"{method} on source speakers"] = num(part["source_best"].mean())
    rows.append(row)
choice = pd.DataFrame(rows).set_index("scheme")
n_seeds = int(choice[[c for c in choice if c.endswith(" n")]].min().min())
def mean_uar(runs: pd.DataFrame, method: str) -> pd.Series:
    return (runs[runs["method"] == method].groupby("tag")["UAR"].mean() if len(runs)
            else pd.Series(dtype=float))


cv_mean = {m: mean_uar(cv_runs, m) for m in ("SVM", "SATNMF")}
fx_mean = {m: mean_uar(fixed_runs, m) for m in ("SVM", "SATNMF")}
common = cv_mean["SATNMF"].index.intersection(cv_mean["SVM"].index)
glue("satnmf_cv_wins", f"{int((cv_mean['SATNMF'][common] >= cv_mean['SVM'][common]).sum())} of {len(common)}",
     display=False)
glue("satnmf_cv_seeds", str(n_seeds), display=False)
glue("satnmf_cv_gap", signed_span(cv_mean["SATNMF"][common] - cv_mean["SVM"][common]) if len(common) else "—",
     display=False)
glue("satnmf_fixed_b2c", num(fx_mean["SATNMF"].get("B2C")), display=False)
glue("svm_fixed_b2c", num(fx_mean["SVM"].get("B2C")), display=False)
print(f"UAR (%), mean ± std over seeds; at least {n_seeds} seed(s) per cell. "
      "Paper, Table 3, B2C (real corpora, oracle grid search): SVM 32.90, SATNMF 42.30")
source_gap = (pd.to_numeric(choice.get("SATNMF on source speakers"), errors="coerce")
              - pd.to_numeric(choice.get("SVM on source speakers"), errors="coerce")).dropna()
glue("satnmf_source_gap", signed_span(source_gap) if len(source_gap) else "—", display=False)
choice = choice[[c for c in choice if not c.endswith(" n")]]
choice.columns.name = "UAR (%)"
choice

# %% [markdown]
# With its settings chosen on the source alone, SATNMF as printed is at or above the SVM (C
# chosen the same way) on {glue:text}`satnmf_cv_wins` schemes; SATNMF minus SVM ranges
# {glue:text}`satnmf_cv_gap` points (at least {glue:text}`satnmf_cv_seeds` seed per scheme). On the
# source's own held-out speakers SATNMF's codes stay close to the features (the columns *on
# source speakers*: the best grid point's leave-one-speaker-out UAR; SATNMF minus SVM ranges
# {glue:text}`satnmf_source_gap` points), also where they lose eight points on the target. A
# speaker change inside one corpus is not the corpus change that costs the codes their
# accuracy, so a selection made on the source cannot see that cost. On EmoDB the three ranks
# score within about a point of each other on the source's speakers, and which one wins
# depends on the seed (the *chosen* column), so the selection there is close to a coin toss;
# with 2 seeds on B2C and B2R and 1 on the other schemes so far, these rows are a first
# reading.

# %% [markdown]
# ### The paper's oracle on B2C (uses target labels)
#
# SATNMF §3.2 reports, for every method, the best target UAR over a grid of its settings: a
# choice made with the target labels. `python -m stienet sweep satnmf-oracle --schemes B2C
# --methods SATNMF --seeds 0 --trials 1 --grid r=64,128,256 --grid beta=0.01,1,100,1000
# --grid gamma=0.01,1,100,1000` runs that search over r × β × γ: three of the paper's six
# ranks and four of its nine regulariser values for β and γ, with α = λ = 1 and p = 5 fixed and
# one initialisation per point, for time. The paper searched more (α, λ, p and every value);
# a larger grid can only raise its best point.

# %%
oracle_runs = load_results("../results", "real", "satnmf-oracle")
oracle_runs = oracle_runs[oracle_runs["tag"].str.startswith("B2C_grid")] if len(oracle_runs) else oracle_runs
if len(oracle_runs):
    rec = load_result(oracle_runs["path"].iloc[0])
    grid = pd.DataFrame([{**r["params"], "UAR": 100 * r["UAR"]} for r in rec["oracle_search"]])
    svm_b2c = cv_mean["SVM"].get("B2C", np.nan)
    glue("oracle_points", str(len(grid)), display=False)
    glue("oracle_hours", f"{rec['wall_time_s'] / 3600:.2f}", display=False)
    glue("oracle_best", num(grid["UAR"].max()), display=False)
    best_row = grid.loc[grid["UAR"].idxmax()]
    glue("oracle_best_at", f"r = {best_row['r']:g}, β = {best_row['beta']:g}, γ = {best_row['gamma']:g}",
         display=False)
    glue("oracle_above_svm", f"{int((grid['UAR'] >= svm_b2c).sum())} of {len(grid)}", display=False)
    glue("oracle_reach_paper", f"{int((grid['UAR'] >= 42.30).sum())}", display=False)
    glue("oracle_median", num(grid["UAR"].median()), display=False)
    glue("oracle_gain", num(grid["UAR"].max() - fx_mean["SATNMF"].get("B2C", np.nan)), display=False)
    sha = ", ".join(f"{c} {(p or {}).get('sha256_of_files', '')[:12]}" for c, p in rec["provenance"].items())
    print(f"{len(grid)} grid points, {rec['wall_time_s'] / 3600:.2f} h on 2 cores; corpora {sha}")
    table = grid.pivot_table(index=["r", "beta"], columns="gamma", values="UAR").round(1)
    table.columns = [f"γ = {g:g}" for g in table.columns]
    table.index.names = ["r", "β"]
    display_table = table
else:
    display_table = pd.DataFrame()
display_table

# %% [markdown]
# UAR (%) of every grid point on real B2C. The {glue:text}`oracle_points` points took
# {glue:text}`oracle_hours` h. The best, **{glue:text}`oracle_best` %** at
# {glue:text}`oracle_best_at`, is below the paper's 42.30 % (grid points reaching it:
# {glue:text}`oracle_reach_paper`) and below the SVM on the features: {glue:text}`oracle_above_svm`
# points reach the SVM, and the median point gives {glue:text}`oracle_median` %. Against the
# fixed defaults ({glue:text}`satnmf_fixed_b2c` %) the oracle buys {glue:text}`oracle_gain`
# points, chosen with the target labels, and SATNMF still loses to the SVM on real B2C
# ({glue:text}`svm_fixed_b2c` % here), where the paper reports a 9.4-point gain (42.30 against
# 32.90 %). The best point lies on the edge of this grid (largest r and γ), so the paper's
# larger grid could do better; the whole §3.2 grid (6 × 9 × 9 points for r, β, γ alone) is
# still to be run.

# %% [markdown]
# ## What transfers and what does not
#
# * **Known classes transfer, partly.** Trained on one corpus, the network recognises anger,
#   fear and happiness in another above chance (closed OS\* above); how much depends on the
#   pair.
# * **Rejection does not, as printed.** The unknown output, trained only on dropout-perturbed
#   source features (Eq 3), almost never wins the arg-max on a real target clip. Its
#   probability still orders some pairs' clips better than chance (the AUROC column), and the
#   table per emotion shows which emotion it pushes furthest towards unknown on each pair
#   ({glue:text}`real_top_emotion`) — a threshold chosen without target labels could use that
#   ranking; the paper's arg-max does not.
# * **SATNMF's codes transfer less than the features they summarise**, on three of the five
#   schemes, with the paper's settings and with settings chosen on the source alike; they
#   gain over the SVM where RAVDESS is the source. On the source's own held-out speakers the
#   codes come within a few points of the features, so the loss comes with the corpus change,
#   and a selection on the source cannot foresee it.
# * **Still to come on this page** (the runs are spread over several sessions): more seeds of
#   the `paper` preset, the `open` preset and the recipe that replaces it, OSBP and LEAD;
#   seeds 1 and 2 of the SATNMF runs above, the oracle over the paper's whole grid, and the
#   closed-set table of every Table 3 method beside SATNMF's Table 3.
