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
# # Marginal alignment: MMD (STIENet Eq 1)
#
# A model trained on one corpus sees features $\varphi(x)$ whose distribution shifts on
# another corpus. STIENet's first alignment term pulls the two feature clouds together by
# matching their **means**:
#
# $$
# \mathcal{L}_{\mathrm{MMD}} = \Big\| \frac1n \sum_{i=1}^{n} \varphi(x_i^s) - \frac1m \sum_{j=1}^{m} \varphi(x_j^t) \Big\|_2^2
# $$ (stienet-eq1)
#
# with $n$ source and $m$ target clips in a mini-batch. Implemented by
# {func}`stienet.losses.mmd`. {eq}`satnmf-eq4` is the same quantity, computed on NMF
# codes instead of network features.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

from stienet.losses import mmd

torch.manual_seed(0)
rng = np.random.default_rng(0)

# %% [markdown]
# ## Two sanity checks
# Samples of one distribution give an MMD near 0 (it shrinks like $1/n$); two Gaussians with
# the same covariance and means $\mu_s, \mu_t$ give $\|\mu_s - \mu_t\|^2$ (plus that same small
# sampling term).

# %%
d = 16
same = mmd(torch.randn(4000, d), torch.randn(4000, d)).item()
delta = torch.zeros(d)
delta[:4] = torch.tensor([1.0, -0.5, 0.5, 0.25])
shifted = mmd(torch.randn(4000, d), torch.randn(4000, d) + delta).item()
print(f"same distribution:   MMD = {same:.4f}  (its expectation d (1/n + 1/m) = {2 * d / 4000:.4f})")
print(f"shifted by delta:    MMD = {shifted:.3f}  (||delta||^2 = {delta.pow(2).sum().item():.3f})")

# %% [markdown]
# ## The kernel form
# MMD is defined for any kernel $k$ through the kernel mean embeddings,
# $\mathrm{MMD}^2 = \overline{K_{ss}} + \overline{K_{tt}} - 2\,\overline{K_{st}}$, the averages of
# the source–source, target–target and source–target kernel blocks. With the linear kernel
# $k(a, b) = a^\top b$ this collapses to {eq}`stienet-eq1`. An independent check with the kernel
# matrix:

# %%
fs, ft = torch.randn(50, d, dtype=torch.float64), torch.randn(70, d, dtype=torch.float64) + 0.3
K = lambda a, b: a @ b.T  # noqa: E731  linear kernel
kernel_form = K(fs, fs).mean() + K(ft, ft).mean() - 2 * K(fs, ft).mean()
print(f"mean-difference form {mmd(fs, ft).item():.10f}   kernel form {kernel_form.item():.10f}")


# %% [markdown]
# ## What a linear kernel cannot see
# Matching means matches only the first moment. Two distributions with the same mean but
# different spread have linear MMD ≈ 0; a Gaussian (RBF) kernel, whose feature map holds all
# moments, sees the difference. The RBF version below is written out here only to make the
# point (the papers use the linear one):

# %%
def rbf_mmd2(a, b, sigma=1.0):
    """Biased MMD² with a Gaussian kernel (illustration only)."""
    k = lambda x, y: torch.exp(-torch.cdist(x, y).pow(2) / (2 * sigma ** 2))  # noqa: E731
    return (k(a, a).mean() + k(b, b).mean() - 2 * k(a, b).mean()).item()


narrow = torch.randn(800, 2, dtype=torch.float64) * 0.5
wide = torch.randn(800, 2, dtype=torch.float64) * 2.0
print(f"same mean, std 0.5 vs 2.0:  linear MMD = {mmd(narrow, wide).item():.3f}   "
      f"RBF MMD^2 = {rbf_mmd2(narrow, wide):.3f}")
fig, ax = plt.subplots(figsize=(4, 4))
ax.scatter(*wide.T, s=4, alpha=0.4, label="target: std 2.0")
ax.scatter(*narrow.T, s=4, alpha=0.4, label="source: std 0.5")
ax.scatter([0], [0], marker="x", color="k", s=80, label="both means")
ax.set_aspect("equal")
ax.set_xlabel("feature 1")
ax.set_ylabel("feature 2")
ax.legend(loc="upper right", fontsize=8)
ax.set_title("equal means: linear MMD ~ 0")
plt.show()

# %% [markdown]
# ## Biased and unbiased estimates
# {eq}`stienet-eq1` is the **biased** (V-statistic) estimate: each average includes the
# diagonal terms $k(x_i, x_i)$, so it is always $\ge 0$ and is about $\operatorname{tr}\Sigma\,(1/n + 1/m)$
# even when the distributions agree. The **unbiased** estimate drops the diagonals,
#
# $$
# \widehat{\mathrm{MMD}}^2_u = \frac{\sum_{i \ne i'} k(x_i^s, x_{i'}^s)}{n(n-1)} + \frac{\sum_{j \ne j'} k(x_j^t, x_{j'}^t)}{m(m-1)} - \frac{2}{nm}\sum_{i,j} k(x_i^s, x_j^t),
# $$
#
# its expectation is exactly the population MMD² — which is 0 for equal distributions — so
# about half of its values on equal distributions are **negative**. That is not a bug (a
# frequent question in domain-adaptation repositories): it is an unbiased estimate of 0. As a
# training loss the biased form is convenient (non-negative, a plain squared norm); the
# unbiased one is what a two-sample test should use.

# %%
def unbiased_linear_mmd2(a, b):
    """Unbiased linear-kernel MMD² (illustration only)."""
    n, m = len(a), len(b)
    kss, ktt = a @ a.T, b @ b.T
    return ((kss.sum() - kss.diag().sum()) / (n * (n - 1))
            + (ktt.sum() - ktt.diag().sum()) / (m * (m - 1)) - 2 * (a @ b.T).mean()).item()


draws = [(mmd(a, b).item(), unbiased_linear_mmd2(a, b))
         for a, b in ((torch.randn(32, d, dtype=torch.float64), torch.randn(32, d, dtype=torch.float64))
                      for _ in range(500))]
biased, unbiased = np.array(draws).T
print(f"500 pairs of batches (32 + 32) from ONE distribution, d = {d}:")
print(f"  biased:   mean {biased.mean():.3f}, min {biased.min():.3f}, negative {np.mean(biased < 0):.0%}")
print(f"  unbiased: mean {unbiased.mean():.3f}, min {unbiased.min():.3f}, negative {np.mean(unbiased < 0):.0%}")
fig, ax = plt.subplots(figsize=(5, 3))
ax.hist(biased, bins=40, alpha=0.6, label="biased (Eq 1)")
ax.hist(unbiased, bins=40, alpha=0.6, label="unbiased")
ax.axvline(0, color="k", lw=0.8)
ax.set_xlabel("MMD estimate, equal distributions")
ax.set_ylabel(f"draws (of {len(biased)})")
ax.legend()
plt.show()

# %% [markdown]
# In training, STIENet computes {eq}`stienet-eq1` on every mini-batch (32 source + 32 target
# clips by default), so the term never reaches 0 even for perfectly aligned features: its
# floor is the sampling term above. {doc}`03_class_mmd` applies the same distance per class.
