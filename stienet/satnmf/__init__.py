"""SATNMF — semi-supervised adaptation-regularized transfer NMF (Luo & Han), and its special cases.

All symbols here are the **SATNMF paper's**: α weighs the class-wise MMD (Eq 6), β the label
term (Eq 1), γ the MMD term and λ the graph term (Eq 8), r is the number of basis vectors and
p the number of neighbours of the graph (Eq 7). They are unrelated to STIENet's α…ε
(:class:`stienet.losses.LossWeights`). Explained in ``notebooks/06_satnmf``.

Shapes follow the paper inside the algorithm — features are columns: X is d × N with
N = n + m (source first, then target), V is r × N — while the estimator's public API follows
scikit-learn (samples are rows: ``Xs`` is n × d).

The joint-distribution MMD matrix M (Eq 6) and the kNN graph (Eq 7) are N × N; the default
``solver="fast"`` never forms M (VM⁺ and VM⁻ come from per-class means, O((c+1)·r·N)) and keeps
W sparse. ``solver="dense"`` builds both as dense matrices and computes the objective literally
(``benchmarks/satnmf_speed.py --solvers`` times both); ``tests/test_satnmf.py`` checks the fast
update against a V update computed from Eq 8's gradient with independently built dense M and W.

The package splits into :mod:`stienet.satnmf.equations` (Eq 1–8, one function each) and
:mod:`stienet.satnmf.estimator` (:class:`SATNMF`, its special cases); every public name is
importable from ``stienet.satnmf``.
"""
from .equations import (EPS, LABEL_WEIGHTS, MMDGroups, knn_graph, label_matrices, laplacian,
                        satnmf_objective, satnmf_update, snmf_objective, snmf_update, vote)
from .estimator import SATNMF, VARIANTS, linear_svm, make_variant, svm_pseudo_labels

__all__ = ["EPS", "LABEL_WEIGHTS", "MMDGroups", "SATNMF", "VARIANTS", "knn_graph",
           "label_matrices", "laplacian", "linear_svm", "make_variant", "satnmf_objective",
           "satnmf_update", "snmf_objective", "snmf_update", "svm_pseudo_labels", "vote"]
