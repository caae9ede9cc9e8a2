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
# # The corpora
#
# Both papers adapt between acted emotional-speech corpora: Berlin EmoDB (**B**), CASIA (**C**),
# eNTERFACE'05 (**e**), SAVEE (**S**) and, for SATNMF, the Estonian EEKK corpus (**E**).
# All five are licensed, so this project cannot ship them. It ships two things instead:
#
# * loaders for each corpus's real folder layout ({mod}`stienet.data.layouts`), and
# * a **synthetic stand-in** for each corpus, written in that same layout and read by the same
#   loaders ({mod}`stienet.data.synthetic`). It is the default whenever no data root is given.
#
# Every table in this book says which of the two produced it. **Everything on this page is
# synthetic** — it shows how the package works, not what the real corpora contain.

# %% tags=["parameters"]
scale = 0.25      # fraction of the real corpus sizes to synthesise (1.0 = real sizes)
data_root = None  # a folder with emodb/, casia/, enterface/, savee/ to use real corpora
seed = 0

# %%
import warnings

warnings.filterwarnings("ignore", message="IProgress not found")  # tqdm.auto inside librosa
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Audio, Markdown, display

from stienet.baselines import cross_corpus_matrix
from stienet.data import CORPORA, load_corpus, load_waveforms, open_set_split, summarize
from stienet.features import prosodic_stats

pd.set_option("display.precision", 3)
pd.set_option("display.max_colwidth", None)   # full emotion lists, never cut with "..."
warnings.filterwarnings("ignore", category=UserWarning, module="sklearn")

# %% [markdown]
# ## What the real corpora are
# Sizes, label sets and native sample rates of the real corpora (from the corpora's
# documentation and Table 1 of each paper). CASIA: SATNMF's Table 1 counts the 1200 public
# utterances, STIENet's Table 1 says 900; the stand-in follows the 1200.

# %%
pd.DataFrame([{"code": s.code, "corpus": s.name, "language": s.language,
               "utterances": s.n_samples, "emotions": ", ".join(s.emotions),
               "speakers": f"{len(s.speakers)} ({sum(v == 'f' for v in s.speakers.values())} f)",
               "native Hz": s.native_sr} for s in CORPORA.values()]).set_index("code")

# %% [markdown]
# ## Loading
# {func}`stienet.data.load_corpus` returns one row per utterance. With no root it generates the
# stand-in on first use (cached under `~/.cache/stienet`, or `$STIENET_CACHE`) at `scale` times
# the real sizes; {func}`stienet.data.load_waveforms` decodes, mixes to mono and resamples to
# 16 kHz once, then serves fixed-length crops from memory.

# %%
tables = {c: load_corpus(c, data_root=data_root, seed=seed, scale=scale, progress=False)
          for c in "BCeS"}
audio = {c: load_waveforms(t, progress=False) for c, t in tables.items()}
tables["B"].head(3)[["emotion", "speaker", "corpus", "label", "data"]]

# %%
summarize(pd.concat(tables.values()))

# %% [markdown]
# ## The open-set protocol of one pair
# STIENet keeps anger, fear and happiness as the **known** classes. The source corpus keeps only
# those, oversampled to equal counts; every other target emotion becomes *unknown* (label K = 3).

# %%
split = open_set_split(tables["B"], tables["C"], seed=seed)
print(f"B -> C, data: {tables['B']['data'].iloc[0]}")
split.describe()

# %% [markdown]
# ## What the stand-in sounds like
# One utterance per emotion from the synthetic EmoDB (same speaker): an F0 contour over
# vowel-like syllables made by formant resonators, with noise-burst consonants. Emotions move F0
# level and range, rate, loudness, spectral tilt, jitter and breathiness in the directions of the
# vocal-affect literature.

# %%
b = audio["B"]
speaker = b.table["speaker"].value_counts().index[0]
examples = {e: int(b.table.index[(b.table.emotion == e) & (b.table.speaker == speaker)][0])
            for e in CORPORA["B"].emotions}
fig, axes = plt.subplots(len(examples), 1, figsize=(7, 1.3 * len(examples)), sharex=True, dpi=72)
for ax, (emotion, i) in zip(axes, examples.items()):
    ax.specgram(b.clip(i)[:2 * b.sr], NFFT=512, Fs=b.sr, noverlap=384, cmap="magma")
    ax.set_ylabel(emotion, rotation=0, ha="right", va="center")
    ax.set_ylim(0, 5000)
    ax.set_yticks([0, 2500, 5000], ["0", "2.5", "5 kHz"], fontsize=8)
axes[-1].set_xlabel("time (s); each panel: frequency 0–5 kHz, darker = less energy")
fig.suptitle(f"synthetic EmoDB, speaker {speaker}: first 2 s of one utterance per emotion")
fig.tight_layout()

# %%
for emotion, i in examples.items():
    display(Markdown(f"**{emotion}**"))
    display(Audio(b.clip(i)[: int(1.5 * b.sr)], rate=b.sr))

# %% [markdown]
# ## Does the stand-in carry emotion signal?
# A plain baseline: 60 statistics of MFCCs, F0 and energy per clip
# ({func}`stienet.features.prosodic_stats`), z-scored per corpus, then logistic regression
# ({func}`stienet.baselines.cross_corpus_matrix`). Rows: training corpus; columns: test corpus;
# the diagonal is 4-fold cross-validation with speakers held out. Unweighted average recall on
# the three known classes, in percent (chance 33.3 %).

# %%
features = {c: prosodic_stats([a.clip(i) for i in range(len(a))], a.sr) for c, a in audio.items()}
known = ("anger", "fear", "happiness")
uar = cross_corpus_matrix(features, {c: a.table for c, a in audio.items()}, known)
print(f"UAR (%), data: synthetic (scale {scale}), classes: {', '.join(known)}; rows: trained on, columns: tested on")
(100 * uar).round(1)

# %%
within = np.diag(uar.to_numpy()).mean()
across = uar.to_numpy()[~np.eye(len(uar), dtype=bool)].mean()
print(f"mean UAR within a corpus: {100 * within:.1f} %; across corpora: {100 * across:.1f} %; "
      f"chance: {100 / 3:.1f} %")

# %% [markdown]
# Within a corpus the baseline is above chance; trained on one corpus and tested on another it
# drops, by different amounts for different pairs — the situation both papers address. The
# size of that drop is set by the generator's `shift` knob ({mod}`stienet.data.synthetic`):
# at `shift=0` corpora differ only in speakers and label sets.
#
# ## How hard are the stand-ins? (calibration)
# A stand-in that is much easier than real speech flatters every method run on it. Version 3
# of the generator is calibrated so that the SATNMF paper's own pipeline — ComParE functionals,
# [0, 1] scaling per speaker, linear SVM ({func}`stienet.closed_set.run_closed_set` with method
# `SVM`) — scores on the stand-ins roughly what it scores on real speech. The targets come from
# three places:
#
# * **within B, within C, B→C, C→B**: the same pipeline measured on the real EmoDB and CASIA
#   (quoted in issue #12): within a corpus leave-one-speaker-out on all its classes, across
#   corpora on the three known classes;
# * **e2E, E2B, B2C, C2e**: the SVM column of SATNMF Table 3 (± 7 points);
# * **within e, within S**: no real measurement, so between the real CASIA and EmoDB values.
#
# The table is computed by `python benchmarks/calibrate_standins.py --jobs 2` (full size, three
# corpus seeds; 14 minutes on two cores) and read here from the committed
# `results/synthetic/calibration.csv`, not recomputed.

# %%
from stienet.data.synthetic import GENERATOR_VERSION

calibration = pd.read_csv("../results/synthetic/calibration.csv")
print(f"data: synthetic, generator v{calibration['generator_version'].iloc[0]} "
      f"(current: v{GENERATOR_VERSION}), scale {calibration['scale'].iloc[0]:g}, "
      f"corpus seeds {sorted(calibration['seed'].unique().tolist())}; UAR %")
by = calibration.groupby("setting", sort=False)
check = pd.DataFrame({
    "classes": by["classes"].first(),
    "target": by["low"].first().round(1).astype(str) + "–" + by["high"].first().round(1).astype(str),
    "target from": by["source"].first(),
    "mean": by["UAR"].mean(),
    "std": by["UAR"].std(ddof=0),
})
check["pass"] = [by["low"].first()[k] <= check.loc[k, "mean"] <= by["high"].first()[k]
                 for k in check.index]
check.round(1)

# %% [markdown]
# **Where the calibration stands (generator version 3).** Every row passes on the mean of the
# three corpus seeds. Version 2 missed C→B, e2E and C2e, and the cause turned out to be luck: how
# far a corpus disagrees with the others is one random draw of "corpus deltas" per corpus
# (several times larger than the designed differences between emotions), and re-drawing e's
# deltas alone moved e2E anywhere from 8 to 75 % in a profile-only proxy of this pipeline.
# Version 3 therefore *chooses* the draw for B and e (and gives E a slightly larger
# disagreement), each choice checked with this pipeline at full size
# (`results/synthetic/calibration_trials.md` lists every trial, including the draws that failed).
# What that does not buy:
#
# * the draws were chosen on these same seeds 0–2. Measured afterwards on held-out corpus seeds
#   3–5 (`python benchmarks/calibrate_standins.py --seeds 3 4 5 --out ''`, full size), only 7 of
#   the 10 rows pass: within C 40.1 (range 43–59), C→B 51.4 (37–51) and e2E 44.1 (≤ 42.65) fall
#   outside. The chosen draws are partly fitted to seeds 0–2;
# * single seeds vary widely — C→B is 58 / 30 / 59 % for seeds 0 / 1 / 2 (below), and the sweeps
#   of the results chapters use seed 0 only;
# * of the twelve STIENet pairs only B→C and C→B are rows of this table; the other ten are only
#   as hard as the chosen draws make them.

# %%
calibration.pivot(index="setting", columns="seed", values="UAR").loc[check.index].round(1)
