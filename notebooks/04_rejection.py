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
# # Rejecting the unknown with pseudo-unknowns (STIENet Eq 3)
#
# In open-set adaptation the target holds emotions the source never labelled (for the pair
# B → C: neutral, sadness, surprise …). The classifier therefore has $K + 1$ outputs, the last
# one meaning *unknown* — but no source clip is labelled unknown. STIENet manufactures
# **pseudo-unknowns**: source features with dropout applied, $\tilde\varphi(x^s) =
# \mathrm{dropout}_p(\varphi(x^s))$, which no longer look like any known class, and trains the
# classifier to send them to class $K+1$:
#
# $$
# \mathcal{L}_{\mathrm{rej}} = -\frac1n \sum_{i=1}^{n} \log\, \operatorname{softmax}\!\big(f(\tilde\varphi(x_i^s))\big)_{K+1}
# $$ (stienet-eq3)
#
# Implemented by {func}`stienet.losses.perturb` and {func}`stienet.losses.rejection_loss`.
#
# To make the geometry visible quickly, this page trains the package's classifier head
# ({class}`stienet.model.Classifier`, K + 1 outputs) on a controlled 128-d feature space: three
# known classes as clusters of the shape the encoder produces (mean-pooled BiLSTM outputs,
# in (−1, 1)), with the same α·L_cls + β·L_rej as in {eq}`stienet-eq5`. A full run on audio is in
# {doc}`train`.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.decomposition import PCA

from stienet.losses import perturb, rejection_loss
from stienet.model import Classifier, ModelConfig

torch.manual_seed(0)
torch.set_num_threads(1)   # small matrices: one thread is fastest and keeps the numbers stable
rng = np.random.default_rng(0)
K, d = 3, 128


def features(n_per, centers, spread=0.25):
    """Cluster features in (-1, 1): tanh of Gaussian clusters (illustration of encoder output)."""
    x = np.concatenate([c + spread * rng.normal(size=(n_per, d)) for c in centers])
    return torch.tensor(np.tanh(x), dtype=torch.float32), torch.arange(len(centers)).repeat_interleave(n_per)


centers = rng.normal(scale=0.8, size=(K, d))
# an emotion never labelled: between known classes 0 and 1, a little off their line
centers = np.vstack([centers, 0.5 * (centers[0] + centers[1]) + rng.normal(scale=0.3, size=d)])
fs, ys = features(200, centers[:K])
f_unknown, _ = features(200, centers[K:])              # a real unknown class, for reference


def train_head(rate, beta=1.0, steps=300):
    """Train the K+1 classifier head with alpha*L_cls + beta*L_rej (Eq 3) at dropout ``rate``."""
    torch.manual_seed(0)
    head = Classifier(d, K, ModelConfig(hidden=256))
    opt = torch.optim.Adam(head.parameters(), lr=1e-3)
    for _ in range(steps):
        idx = torch.randint(0, len(fs), (64,))
        loss = F.cross_entropy(head(fs[idx]), ys[idx])
        if beta:
            loss = loss + beta * rejection_loss(head(perturb(fs[idx], rate)))
        opt.zero_grad()
        loss.backward()
        opt.step()
    return head.eval()


# %% [markdown]
# ## Where pseudo-unknowns fall
# A 2-D PCA of the source features (fitted on the clean known classes), with dropout-perturbed
# copies at rate 0.5 and a real unseen class for comparison. Dropout zeroes half of the
# coordinates and doubles the rest, so perturbed features leave the class clusters in many
# directions at once.

# %%
torch.manual_seed(1)
perturbed = perturb(fs, 0.5)
pca = PCA(2).fit(fs.numpy())
fig, ax = plt.subplots(figsize=(5.5, 4.5))
for k in range(K):
    ax.scatter(*pca.transform(fs[ys == k].numpy()).T, s=6, label=f"known class {k}")
ax.scatter(*pca.transform(perturbed.numpy()).T, s=4, c="grey", alpha=0.35, label="dropout 0.5 of source")
ax.scatter(*pca.transform(f_unknown.numpy()).T, s=6, c="k", marker="x", label="an unseen class")
ax.legend(fontsize=8, loc="best")
ax.set_xlabel("principal component 1 of the source features")
ax.set_ylabel("principal component 2")
ax.set_title("pseudo-unknowns vs known classes (PCA of source)")
plt.show()
dist = lambda a, b: torch.cdist(a, b).min(1).values.mean().item()  # noqa: E731
print(f"mean distance to the nearest clean source feature: clean {dist(fs[:100], fs[100:]):.2f}, "
      f"perturbed {dist(perturbed, fs):.2f}, unseen class {dist(f_unknown, fs):.2f}")

# %% [markdown]
# ## How the unknown output responds to the dropout rate
# For each rate $p$ we train the head with {eq}`stienet-eq3` and measure the mean probability
# of the unknown output on clean known features (should stay low), on perturbed features
# (trained to be high) and on the never-seen class (what we actually want to reject).

# %%
rates = [0.1, 0.3, 0.5, 0.7, 0.9]
rows = []
for rate in rates:
    head = train_head(rate)
    with torch.no_grad():
        torch.manual_seed(2)
        p_unk = lambda x: head(x).softmax(1)[:, K].mean().item()  # noqa: E731
        acc = (head(fs).argmax(1) == ys).float().mean().item()
        rows.append((rate, p_unk(fs), p_unk(perturb(fs, rate)), p_unk(f_unknown), acc))
baseline = train_head(0.5, beta=0.0)
with torch.no_grad():
    base_unk = baseline(f_unknown).softmax(1)[:, K].mean().item()
print("rate  p(unk | known)  p(unk | perturbed)  p(unk | unseen class)  known accuracy")
for r in rows:
    print(f"{r[0]:4.1f}  {r[1]:14.3f}  {r[2]:18.3f}  {r[3]:21.3f}  {r[4]:14.3f}")
print(f"without L_rej (beta = 0): p(unk | unseen class) = {base_unk:.3f}")

# %%
r = np.array(rows)
fig, ax = plt.subplots(figsize=(5.5, 3.4))
ax.plot(r[:, 0], r[:, 1], "o-", label="clean known")
ax.plot(r[:, 0], r[:, 2], "s-", label="perturbed (trained as unknown)")
ax.plot(r[:, 0], r[:, 3], "^-", label="unseen class")
ax.set_xlabel("dropout rate p of the pseudo-unknowns")
ax.set_ylabel("mean p(unknown)")
ax.set_ylim(0, 1)
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# Read the table above with two trade-offs in mind. Low rates make pseudo-unknowns that are
# almost known features: the head can only separate them by becoming less sure about the known
# classes too (p(unknown | known) rises). High rates make pseudo-unknowns that are easy to spot
# because they are far from everything — and an unseen emotion that sits *between* known
# classes, like the one here, need not look like them. Without the rejection term the unknown
# output is never trained and stays silent. The rate is a hyper-parameter the paper does not
# report; this package uses 0.5 (`reject_dropout` of
# {class}`stienet.train.TrainConfig`). Whether the unknown output wins on real target clips
# also depends on how hard Eq 3 is pushed down — which is what the inverse-entropy term of
# {doc}`05_inverse_entropy` controls.
