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
# # Class-wise alignment with pseudo labels (STIENet Eq 2, SATNMF Eq 5–6)
#
# Matching the overall means ({eq}`stienet-eq1`) can still leave *anger* of one corpus on top
# of *fear* of the other. The class-wise term matches the mean of each known class:
#
# $$
# \mathcal{L}_{\mathrm{MMD\text{-}class}} = \sum_{k=1}^{K} \Big\| \frac{1}{n_k} \sum_{y_i^s = k} \varphi(x_i^s) - \frac{1}{m_k} \sum_{\hat y_j^t = k} \varphi(x_j^t) \Big\|_2^2
# $$ (stienet-eq2)
#
# The target has no labels, so $\hat y^t$ are **pseudo labels**: the current classifier's
# arg-max when it is a known class ({func}`stienet.losses.pseudo_labels`; targets predicted
# *unknown* do not take part). The term is {func}`stienet.losses.class_mmd`. SATNMF does the
# same in code space ({eq}`satnmf-eq5`), with pseudo labels from a linear SVM, and folds it into
# the trace $\operatorname{Tr}(VMV^\top)$ of {eq}`satnmf-eq6`.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

from stienet.losses import class_mmd, mmd, pseudo_labels
from stienet.satnmf import MMDGroups

rng = np.random.default_rng(0)
_ = torch.manual_seed(0)

# %% [markdown]
# ## Check against a loop written from the equation
# Three classes, a random pseudo labelling with one class missing in the target batch (such a
# class is skipped: its mean is undefined).

# %%
K, d = 3, 8
fs, ft = torch.randn(30, d, dtype=torch.float64), torch.randn(25, d, dtype=torch.float64)
ys = torch.arange(30) % K
yt = torch.tensor(rng.choice([0, 1, -1], size=25))     # class 2 never predicted; -1 = unknown
loop = sum(((fs[ys == k].mean(0) - ft[yt == k].mean(0)) ** 2).sum() for k in (0, 1))
print(f"class_mmd = {class_mmd(fs, ys, ft, yt, K).item():.10f}   loop over classes = {loop.item():.10f}")
logits = torch.tensor([[2.0, 0.1, 0.0, 0.0], [0.0, 0.0, 0.2, 3.0], [0.4, 0.5, 0.45, 0.0]])
print("pseudo labels (threshold 0):  ", pseudo_labels(logits).tolist(),
      "  (threshold 0.4):", pseudo_labels(logits, threshold=0.4).tolist())

# %% [markdown]
# ## When pseudo labels are wrong
# A controlled experiment. Source and target each hold three classes, and the target is the
# source moved by a common offset (a corpus shift). We compute {eq}`stienet-eq2` with pseudo
# labels of which a fraction $\rho$ is replaced by a wrong class, and ask two questions:
#
# 1. how large is the class-wise MMD at the *true* alignment (the target shifted back by the
#    offset, i.e. where we want the optimiser to go)?
# 2. which target shift does the term prefer? We move the target along the offset and find
#    the minimiser.

# %%
centers = np.array([[3.0, 0.0], [-1.5, 2.6], [-1.5, -2.6]])
offset = np.array([2.0, 1.0])
n_per = 200
src = np.concatenate([c + rng.normal(size=(n_per, 2)) for c in centers])
lab = np.repeat(np.arange(3), n_per)
tgt = np.concatenate([c + rng.normal(size=(n_per, 2)) for c in centers]) + offset


def corrupt(labels, rho, rng):
    """Replace a fraction rho of the labels by another class."""
    out = labels.copy()
    flip = rng.random(len(out)) < rho
    out[flip] = (out[flip] + rng.integers(1, 3, flip.sum())) % 3
    return out


T = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
rhos = np.linspace(0, 0.6, 7)
at_truth, best_shift = [], []
steps = np.linspace(-0.5, 1.5, 81)          # fraction of the offset removed from the target
for rho in rhos:
    pl = corrupt(lab, rho, np.random.default_rng(1))
    values = [class_mmd(T(src), T(lab), T(tgt - s * offset), T(pl), 3).item() for s in steps]
    at_truth.append(class_mmd(T(src), T(lab), T(tgt - offset), T(pl), 3).item())
    best_shift.append(steps[int(np.argmin(values))])
marginal = mmd(T(src), T(tgt - offset)).item()
for rho, v, s in zip(rhos, at_truth, best_shift):
    print(f"wrong pseudo labels {rho:4.0%}:  class-MMD at the true alignment {v:6.2f}   "
          f"preferred correction {s:4.2f} x offset")
print(f"(marginal MMD at the true alignment: {marginal:.3f})")

# %%
fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.6))
axes[0].plot(rhos * 100, at_truth, "o-")
axes[0].set_xlabel("wrong pseudo labels (%)")
axes[0].set_ylabel("Eq 2 at the true alignment")
axes[0].set_title("wrong labels pull\nthe wrong classes together", fontsize=10)
pl = corrupt(lab, 0.4, np.random.default_rng(1))
for k, colour in enumerate(["C0", "C1", "C2"]):
    axes[1].scatter(*src[lab == k].T, s=3, color=colour, alpha=0.3)
    mean_t = (tgt - offset)[pl == k].mean(0)
    axes[1].scatter(*mean_t, marker="*", s=200, color=colour, edgecolor="k")
    axes[1].scatter(*src[lab == k].mean(0), marker="o", s=80, color=colour, edgecolor="k")
axes[1].set_title("40% wrong: target class means (stars)\nshrink towards the centre", fontsize=10)
axes[1].set_xlabel("feature 1")
axes[1].set_ylabel("feature 2")
axes[1].set_aspect("equal")
plt.tight_layout()
plt.show()

# %% [markdown]
# The overall offset is still recovered (the preferred correction stays at 1 × offset: wrong
# labels are spread evenly over the classes here), but the term no longer vanishes at the true
# alignment: every pseudo-class mean of the target is a mixture that sits between the real
# class means. Minimising {eq}`stienet-eq2` then *pulls the classes of the target towards each
# other* — it blurs exactly the boundaries the classifier needs. This is why pseudo labels are
# often kept only above a confidence threshold (`pseudo_threshold` in
# {class}`stienet.train.TrainConfig`, default 0 as in the paper) and why the weight δ matters
# early in training, when the classifier is still poor.

# %% [markdown]
# ## The trace form (SATNMF Eq 6)
# SATNMF writes the marginal and class-wise terms as one quadratic form
# $\operatorname{Tr}(V M V^\top)$. With $V$ = the points above as columns (2 × 1200), the
# pseudo labels at 40 % wrong and α = 1:

# %%
V = np.concatenate([src, tgt - offset]).T
groups = MMDGroups.from_labels(lab, pl, 3, alpha=1.0)
M = groups.dense()
direct = marginal + class_mmd(T(src), T(lab), T(tgt - offset), T(pl), 3).item()
print(f"Eq 1 + Eq 2 (torch) = {direct:.6f}   Tr(V M V^T) dense = {np.trace(V @ M @ V.T):.6f}   "
      f"implicit = {groups.trace(V):.6f}   M is {M.shape[0]} x {M.shape[1]}")
