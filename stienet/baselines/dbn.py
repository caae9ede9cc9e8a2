"""DBN — deep belief network (SATNMF's [29]; the DBN set-up of Latif, Rana, Younis, Qadir &
Epps, "Cross corpus speech emotion recognition: an analysis of languages and deep belief
networks", ACII Asia 2018): three stacked restricted Boltzmann machines pre-trained without
labels on source **and** target features, then fine-tuned with a softmax layer on the source
labels, which classifies the target directly ("DBN" in SATNMF Table 3, transductive, no SVM).

SATNMF §3.2: three RBM layers of {500, 1000, 2000} hidden units each, {100, 200, 300, 500}
epochs, learning rate 1e-3, "other network parameters following [29]". Here:

* Pre-training (Hinton & Salakhutdinov 2006): layer k is a Bernoulli RBM with energy
  E(v, h) = −bᵀv − cᵀh − vᵀWh, fitted by persistent contrastive divergence
  (scikit-learn's :class:`~sklearn.neural_network.BernoulliRBM`; inputs are the [0, 1]-scaled
  features, read as probabilities) on the hidden probabilities σ(Wᵀv + c) of layer k − 1,
  for ``rbm_epochs`` passes with its learning rate ``rbm_lr``.
* Fine-tuning: the feed-forward net x → σ(W₁ᵀx + c₁) → σ(W₂ᵀ· + c₂) → σ(W₃ᵀ· + c₃) → softmax,
  initialised from the three RBMs (so before fine-tuning its hidden layers equal the RBMs'
  ``transform``), trained by Adam (learning rate ``lr`` = 1e-3) on the source cross-entropy,
  full batch, for ``epochs`` epochs. The paper's epoch grid is read as fine-tuning epochs.

Shapes: Xs (n, d), Xt (m, d) with d = 6373 ComParE features; hidden sizes ``hidden``.
CPU cost grows with d · hidden[0] · (n + m) per RBM pass and d · hidden[0] · n per epoch.
"""
from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.neural_network import BernoulliRBM

from .common import check_domains


def pretrain_rbms(X, hidden, rbm_epochs: int, rbm_lr: float, seed: int) -> list:
    """Greedy layer-wise pre-training: one fitted BernoulliRBM per entry of ``hidden`` on
    ``X`` (N, d) in [0, 1], each on the previous one's hidden probabilities."""
    rbms, H = [], np.clip(np.asarray(X, dtype=np.float64), 0.0, 1.0)
    for k, units in enumerate(hidden):
        rbm = BernoulliRBM(n_components=int(units), learning_rate=rbm_lr, n_iter=rbm_epochs,
                           batch_size=32, random_state=seed + k)
        H = rbm.fit_transform(H)
        rbms.append(rbm)
    return rbms


def network(rbms, n_classes: int, seed: int):
    """The fine-tuning net: Linear + sigmoid per RBM (weights Wᵀ = ``components_``, biases
    ``intercept_hidden_``), then a Linear softmax layer (logits)."""
    import torch
    from torch import nn

    torch.manual_seed(seed)
    layers = []
    for rbm in rbms:
        lin = nn.Linear(rbm.components_.shape[1], rbm.components_.shape[0])
        with torch.no_grad():
            lin.weight.copy_(torch.as_tensor(rbm.components_, dtype=torch.float32))
            lin.bias.copy_(torch.as_tensor(rbm.intercept_hidden_, dtype=torch.float32))
        layers += [lin, nn.Sigmoid()]
    layers.append(nn.Linear(rbms[-1].components_.shape[0], n_classes))
    return nn.Sequential(*layers)


class DBN(ClassifierMixin, BaseEstimator):
    """Three pre-trained RBMs + fine-tuned softmax classifier (see module docstring).

    Parameters
    ----------
    hidden : hidden units of the RBM layers (paper grid {500, 1000, 2000} each).
    epochs : fine-tuning epochs (paper grid {100, 200, 300, 500}); ``eval_epochs`` (optional,
        each ≤ epochs) records target predictions at those epochs too (``predictions_at_``),
        so one run serves the oracle search over the epoch grid.
    lr : Adam learning rate of fine-tuning (paper: 1e-3).
    rbm_epochs, rbm_lr : passes and learning rate of each RBM's contrastive divergence. With
        6373 inputs, scikit-learn's default rate (0.1) and 1e-3 drive every first-layer hidden
        unit to 0 on the synthetic features (checked without labels: all hidden probabilities
        < 0.01), which leaves fine-tuning nothing to train; 1e-4 keeps them alive.
    seed : RBM initialisation and sampling, net initialisation.

    Learned state: ``rbms_``, ``net_`` (torch), ``loss_`` (per epoch), ``predictions_at_``.
    """

    def __init__(self, hidden=(500, 500, 500), epochs=100, lr=1e-3, rbm_epochs=10, rbm_lr=1e-4,
                 seed=0, eval_epochs=()):
        self.hidden, self.epochs, self.lr = hidden, epochs, lr
        self.rbm_epochs, self.rbm_lr, self.seed, self.eval_epochs = rbm_epochs, rbm_lr, seed, eval_epochs

    def fit(self, Xs, ys, Xt):
        import torch

        Xs, ys, Xt = check_domains(Xs, ys, Xt)
        c = int(ys.max()) + 1
        self.rbms_ = pretrain_rbms(np.vstack([Xs, Xt]), self.hidden, self.rbm_epochs,
                                   self.rbm_lr, self.seed)
        self.net_ = network(self.rbms_, c, self.seed)
        xs = torch.as_tensor(np.clip(Xs, 0, 1), dtype=torch.float32)
        xt = torch.as_tensor(np.clip(Xt, 0, 1), dtype=torch.float32)
        target = torch.as_tensor(ys, dtype=torch.long)
        opt = torch.optim.Adam(self.net_.parameters(), lr=self.lr)
        lossf = torch.nn.CrossEntropyLoss()
        self.loss_, self.predictions_at_ = [], {}
        for epoch in range(1, self.epochs + 1):
            opt.zero_grad()
            loss = lossf(self.net_(xs), target)
            loss.backward()
            opt.step()
            self.loss_.append(float(loss.detach()))
            if epoch in self.eval_epochs:
                self.predictions_at_[epoch] = self._predict(xt)
        self.classes_ = np.arange(c)
        return self

    def _predict(self, x):
        import torch

        with torch.no_grad():
            return self.net_(x).argmax(1).numpy()

    def predict(self, Xt):
        import torch

        return self._predict(torch.as_tensor(np.clip(np.asarray(Xt, dtype=np.float64), 0, 1),
                                             dtype=torch.float32))
