"""SATNMF (Luo & Han) Eq 1-8 against independent references: brute-force sums, dense matrices."""
import numpy as np
import pytest
import scipy.sparse as sp

from stienet.satnmf import (SATNMF, VARIANTS, MMDGroups, knn_graph, label_matrices, laplacian,
                            make_variant, satnmf_update, snmf_objective, snmf_update, vote)


def toy(seed=0, n=30, m=24, d=12, c=3):
    rng = np.random.default_rng(seed)
    ys = np.arange(n) % c
    Xs = rng.random((n, d)) + 0.5 * np.eye(c)[ys] @ rng.random((c, d))
    Xt = rng.random((m, d)) + 0.3
    return Xs, ys, Xt


def test_label_indicator_as_eq2():
    Y, E = label_matrices(np.array([0, 2, 1]), 3, 2)
    assert Y.shape == E.shape == (3, 5)
    assert np.array_equal(Y[:, :3], np.eye(3)[[0, 2, 1]].T) and not Y[:, 3:].any()
    assert np.allclose(E[:, :3], np.where(Y[:, :3] == 1, 0.001, 1.0))
    assert not E[:, 3:].any()                               # unknown target labels: 0
    _, Eb = label_matrices(np.array([0, 2, 1]), 3, 2, weights="binary")
    assert np.array_equal(Eb, np.hstack([np.ones((3, 3)), np.zeros((3, 2))]))
    with pytest.raises(ValueError, match="weights"):
        label_matrices(np.array([0]), 1, 1, weights="soft")


def test_mmd_trace_equals_eq4_plus_alpha_eq5():
    rng = np.random.default_rng(1)
    n, m, c, alpha = 20, 15, 3, 0.7
    ys, yt = rng.integers(0, c, n), rng.integers(0, c, m)
    V = rng.random((4, n + m))
    mmd = MMDGroups.from_labels(ys, yt, c, alpha)
    vs, vt = V[:, :n], V[:, n:]
    direct = np.sum((vs.mean(1) - vt.mean(1)) ** 2)                       # Eq (4)
    for k in range(c):                                                    # Eq (5)
        direct += alpha * np.sum((vs[:, ys == k].mean(1) - vt[:, yt == k].mean(1)) ** 2)
    M = mmd.dense()
    assert np.allclose(M, M.T)
    assert np.trace(V @ M @ V.T) == pytest.approx(direct, rel=1e-12)
    assert mmd.trace(V) == pytest.approx(direct, rel=1e-12)


def test_fast_mmd_products_equal_dense_split():
    rng = np.random.default_rng(2)
    n, m, c = 25, 18, 4
    ys, yt = np.arange(n) % c, rng.integers(0, c, m)
    V = rng.random((5, n + m))
    mmd = MMDGroups.from_labels(ys, yt, c, 2.0)
    M = mmd.dense()
    plus, minus = mmd.products(V)
    assert np.allclose(plus, V @ np.maximum(M, 0), rtol=1e-12, atol=1e-14)
    assert np.allclose(minus, V @ np.maximum(-M, 0), rtol=1e-12, atol=1e-14)


def test_mmd_skips_a_pseudo_class_without_target_samples():
    mmd = MMDGroups.from_labels(np.array([0, 1, 2, 0]), np.array([0, 0, 1]), 3, 1.0)
    assert mmd.empty == [2] and len(mmd.groups) == 3


def test_laplacian_trace_equals_pairwise_sum():
    rng = np.random.default_rng(3)
    X = rng.random((40, 6))
    W = knn_graph(X, p=4)
    Wd = W.toarray()
    assert np.allclose(Wd, Wd.T) and not np.diag(Wd).any()
    V = rng.random((3, 40))
    brute = 0.5 * sum(Wd[i, j] * np.sum((V[:, i] - V[:, j]) ** 2)
                      for i in range(40) for j in range(40))
    L = laplacian(W).toarray()
    assert np.trace(V @ L @ V.T) == pytest.approx(brute, rel=1e-12)


def test_knn_graph_is_the_or_rule_with_heat_kernel():
    rng = np.random.default_rng(4)
    X = rng.random((15, 3))
    sigma = 0.3
    W = knn_graph(X, p=2, sigma=sigma).toarray()
    D = np.linalg.norm(X[:, None] - X[None], axis=2)
    np.fill_diagonal(D, np.inf)
    nn = np.argsort(D, axis=1)[:, :2]
    A = np.zeros((15, 15), bool)
    A[np.repeat(np.arange(15), 2), nn.ravel()] = True
    A |= A.T
    expected = np.where(A, np.exp(-D ** 2 / (2 * sigma ** 2)), 0.0)
    assert np.allclose(W, expected)


def test_snmf_updates_never_increase_eq1():
    rng = np.random.default_rng(5)
    d, n, m, c, r = 15, 20, 10, 3, 4
    X = rng.random((d, n + m))
    for weights in ("paper", "binary"):
        Y, E = label_matrices(np.arange(n) % c, c, m, weights)
        U, H, V = rng.random((d, r)), rng.random((c, r)), rng.random((r, n + m))
        f = [snmf_objective(X, U, H, V, Y, E, 5.0)]
        for _ in range(60):
            U, H, V = snmf_update(X, U, H, V, Y, E, 5.0)
            f.append(snmf_objective(X, U, H, V, Y, E, 5.0))
        assert np.all(np.diff(f) <= 1e-9 * np.abs(f[:-1])), weights
        assert f[-1] < 0.5 * f[0]


def test_satnmf_with_alpha_gamma_lambda_zero_is_snmf():
    rng = np.random.default_rng(6)
    d, n, m, c, r = 10, 12, 8, 2, 3
    X = rng.random((d, n + m))
    Y, E = label_matrices(np.arange(n) % c, c, m)
    U, H, V = rng.random((d, r)), rng.random((c, r)), rng.random((r, n + m))
    a = snmf_update(X, U, H, V, Y, E, 3.0)
    b = satnmf_update(X, U, H, V, Y, E * E, beta=3.0, lam=0.0, gamma=0.0)[:3]
    for x, y in zip(a, b):
        assert np.allclose(x, y, rtol=1e-12)


@pytest.mark.parametrize("name", list(VARIANTS))
def test_fast_solver_equals_dense_reference(name):
    Xs, ys, Xt = toy()
    kw = dict(r=4, n_trials=2, max_iter=40, tol=0, alpha=0.5, beta=2.0, gamma=3.0, lam=0.5, p=3)
    for k in VARIANTS[name]:
        kw.pop(k)
    fast = make_variant(name, **kw).fit(Xs, ys, Xt)
    dense = make_variant(name, solver="dense", **kw).fit(Xs, ys, Xt)
    for attr in ("U_", "H_", "V_"):
        a, b = getattr(fast, attr), getattr(dense, attr)
        assert np.linalg.norm(a - b) <= 1e-6 * np.linalg.norm(b), attr
    assert np.allclose(fast.objective_, dense.objective_, rtol=1e-8)
    assert np.array_equal(fast.predict(), dense.predict())


def test_satnmf_objective_history_finite_and_falls():
    Xs, ys, Xt = toy(1)
    model = SATNMF(r=5, n_trials=1, max_iter=80, tol=0, p=3).fit(Xs, ys, Xt)
    f = np.asarray(model.objective_)
    assert len(f) == 80 and np.isfinite(f).all()
    assert f[-1] < 0.5 * f[0]
    assert np.all(np.diff(f) <= 1e-9 * f[:-1])          # the split updates descend Eq (8) here
    assert model.pseudo_labels_.shape == (len(Xt),)


def test_tolerance_stops_early():
    Xs, ys, Xt = toy(2)
    model = SATNMF(r=3, n_trials=1, max_iter=500, tol=1e-3).fit(Xs, ys, Xt)
    assert 1 < len(model.objective_) < 500


def test_vote_by_hand():
    preds = np.array([[0, 1, 2, 2],
                      [0, 2, 1, 2],
                      [1, 2, 0, 2]])
    assert vote(preds, 3).tolist() == [0, 2, 0, 2]      # third column: a three-way tie -> 0


def test_voting_combines_trials():
    Xs, ys, Xt = toy(3)
    model = SATNMF(r=4, n_trials=3, max_iter=30).fit(Xs, ys, Xt)
    assert len(model.trials_) == 3
    assert np.array_equal(model.predict(), vote([t["pred"] for t in model.trials_], 3))
    assert model.predict(Xt[:5]).shape == (5,)
    assert model.transform(Xt[:5]).shape == (5, 4)


def test_variants_fix_their_parameters():
    assert make_variant("SNMF", r=3).get_params()["gamma"] == 0
    tnmf = make_variant("TNMF", gamma=2.0)
    assert tnmf.beta == 0 and tnmf.alpha == 0 and tnmf.gamma == 2.0
    with pytest.raises(ValueError, match="fixes"):
        make_variant("SNMF", gamma=1.0)
    with pytest.raises(ValueError, match="unknown SATNMF variant"):
        make_variant("NMF")


def test_bad_input_is_refused():
    Xs, ys, Xt = toy()
    with pytest.raises(ValueError, match="negative"):
        SATNMF(r=2).fit(Xs - 1, ys, Xt)
    with pytest.raises(ValueError, match="n_classes"):
        SATNMF(r=2).fit(Xs, ys, Xt, n_classes=2)            # labels 0..2 but c = 2
    with pytest.raises(ValueError, match="r must be"):
        SATNMF(r=0).fit(Xs, ys, Xt)
    with pytest.raises(ValueError, match=r"class\(es\) \[1\]"):
        SATNMF(r=2).fit(Xs, np.where(ys == 1, 0, ys), Xt)   # class 1 missing in the source
    with pytest.raises(ValueError, match="same number of features"):
        SATNMF(r=2).fit(Xs, ys, Xt[:, :5])
    with pytest.raises(ValueError, match="labels"):
        SATNMF(r=2).fit(Xs, ys[:-1], Xt)
    assert sp.issparse(knn_graph(Xs, 3))
