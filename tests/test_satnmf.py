"""SATNMF (Luo & Han) Eq 1-8 against independent references: brute-force sums, dense matrices."""
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.model_selection import cross_val_score
from sklearn.svm import LinearSVC

from stienet.satnmf import (SATNMF, VARIANTS, MMDGroups, knn_graph, label_matrices, laplacian,
                            make_variant, satnmf_update, snmf_objective, snmf_update, vote)


def toy(seed=0, n=30, m=24, d=12, c=3):
    rng = np.random.default_rng(seed)
    ys = np.arange(n) % c
    Xs = rng.random((n, d)) + 0.5 * np.eye(c)[ys] @ rng.random((c, d))
    Xt = rng.random((m, d)) + 0.3
    return Xs, ys, Xt


def test_label_indicator_as_eq2():
    Y, E = label_matrices(np.array([0, 2, 1]), 3, 2, weights="paper")
    assert Y.shape == E.shape == (3, 5)
    assert np.array_equal(Y[:, :3], np.eye(3)[[0, 2, 1]].T) and not Y[:, 3:].any()
    assert np.allclose(E[:, :3], np.where(Y[:, :3] == 1, 0.001, 1.0))
    assert not E[:, 3:].any()                               # unknown target labels: 0
    _, Eb = label_matrices(np.array([0, 2, 1]), 3, 2)           # default: the 0/1 mask
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


def _eq1_by_loops(X, U, H, V, Y, E, beta):
    """Eq (1) with the label residual weighted by e_ij (the weighting of Eq 3), entry by entry."""
    UV, HV = U @ V, H @ V
    rec = sum((X[i, j] - UV[i, j]) ** 2 for i in range(X.shape[0]) for j in range(X.shape[1]))
    lab = sum(E[i, j] * (Y[i, j] - HV[i, j]) ** 2 for i in range(Y.shape[0])
              for j in range(Y.shape[1]))
    return rec + beta * lab


def test_snmf_objective_is_eq1_weighted_as_eq3():
    rng = np.random.default_rng(7)
    d, n, m, c, r = 6, 5, 4, 3, 2
    X, U, H, V = rng.random((d, n + m)), rng.random((d, r)), rng.random((c, r)), rng.random((r, n + m))
    for weights in ("paper", "binary"):
        Y, E = label_matrices(np.arange(n) % c, c, m, weights)
        assert snmf_objective(X, U, H, V, Y, E, 2.5) == pytest.approx(
            _eq1_by_loops(X, U, H, V, Y, E, 2.5), rel=1e-12)


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


def test_label_term_is_active():
    """β = 10 moves the codes (issue #11: with Ω = E∘E and the printed E it did not) and the
    labels are fitted: ‖E∘(Y − HV)‖ ends far below ‖Y‖ on the source columns."""
    Xs, ys, Xt = toy()
    kw = dict(r=4, n_trials=1, max_iter=100, tol=0, alpha=0, gamma=0, lam=0, dtype="float64")
    off, on = SATNMF(beta=0.0, **kw).fit(Xs, ys, Xt), SATNMF(beta=10.0, **kw).fit(Xs, ys, Xt)
    assert np.linalg.norm(on.V_ - off.V_) > 0.1 * np.linalg.norm(off.V_)
    Y, _ = label_matrices(ys, 3, len(Xt))
    n = len(ys)
    assert np.linalg.norm(Y[:, :n] - on.H_ @ on.V_[:, :n]) < 0.6 * np.linalg.norm(Y[:, :n])


def test_satnmf_with_alpha_gamma_lambda_zero_is_snmf():
    rng = np.random.default_rng(6)
    d, n, m, c, r = 10, 12, 8, 2, 3
    X = rng.random((d, n + m))
    Y, E = label_matrices(np.arange(n) % c, c, m)
    U, H, V = rng.random((d, r)), rng.random((c, r)), rng.random((r, n + m))
    a = snmf_update(X, U, H, V, Y, E, 3.0)
    b = satnmf_update(X, U, H, V, Y, E, beta=3.0, lam=0.0, gamma=0.0)[:3]
    for x, y in zip(a, b):
        assert np.allclose(x, y, rtol=1e-12)


def _dense_mmd_matrix(ys, yt, c, alpha):
    """M = M0 + α Σ_k Mk of Eq (6), entry by entry over all pairs (not through MMDGroups)."""
    n, m = len(ys), len(yt)
    N = n + m
    groups = [(1.0, set(range(n)), set(range(n, N)))]
    groups += [(alpha, {i for i in range(n) if ys[i] == k}, {n + j for j in range(m) if yt[j] == k})
               for k in range(c)]
    M = np.zeros((N, N))
    for a, S, T in groups:
        if not T:
            continue
        for i in range(N):
            for j in range(N):
                if i in S and j in S:
                    M[i, j] += a / len(S) ** 2
                elif i in T and j in T:
                    M[i, j] += a / len(T) ** 2
                elif (i in S and j in T) or (i in T and j in S):
                    M[i, j] -= a / (len(S) * len(T))
    return M


def _dense_heat_graph(P, p, sigma):
    """W of Eq (7) by brute force: all distances, p nearest each way, heat kernel."""
    D = np.linalg.norm(P[:, None] - P[None], axis=2)
    np.fill_diagonal(D, np.inf)
    A = np.zeros(D.shape, bool)
    A[np.repeat(np.arange(len(P)), p), np.argsort(D, axis=1)[:, :p].ravel()] = True
    return np.where(A | A.T, np.exp(-D ** 2 / (2 * sigma ** 2)), 0.0)


def _eq8_half_gradient_V(X, U, H, V, Y, E, Wd, M, beta, lam, gamma):
    """½ ∂/∂V of Eq (8) (label term weighted by E), each term from its own formula."""
    L = np.diag(Wd.sum(1)) - Wd
    return (U.T @ (U @ V - X) + beta * H.T @ (E * (H @ V - Y)) + lam * V @ L + gamma * V @ M)


def _eq8_dense(X, U, H, V, Y, E, Wd, M, beta, lam, gamma):
    L = np.diag(Wd.sum(1)) - Wd
    return (np.sum((X - U @ V) ** 2) + beta * np.sum(E * (Y - H @ V) ** 2)
            + lam * np.trace(V @ L @ V.T) + gamma * np.trace(V @ M @ V.T))


def _dense_round(X, U, H, V, Y, E, Wd, M, beta, lam, gamma):
    """Reference round: U and H by Eq (3) as printed; V ← V ∘ ∇⁻ / ∇⁺ where ∇⁺ collects the
    non-negative terms of ½∇_V (UᵀUV, βHᵀ(E∘HV), λVD, γVM⁺) and ∇⁻ = ∇⁺ − ½∇_V."""
    U = U * (X @ V.T) / (U @ V @ V.T)
    H = H * ((E * Y) @ V.T) / ((E * (H @ V)) @ V.T)
    grad = _eq8_half_gradient_V(X, U, H, V, Y, E, Wd, M, beta, lam, gamma)
    pos = (U.T @ U @ V + beta * H.T @ (E * (H @ V)) + lam * V @ np.diag(Wd.sum(1))
           + gamma * V @ np.maximum(M, 0))
    neg = pos - grad
    assert neg.min() >= -1e-10 * np.abs(pos).max()
    return U, H, V * neg / pos


def test_half_gradient_of_eq8_matches_finite_differences():
    rng = np.random.default_rng(8)
    d, n, m, c, r = 5, 6, 5, 2, 3
    X = rng.random((d, n + m))
    ys, yt = np.arange(n) % c, rng.integers(0, c, m)
    Y, E = label_matrices(ys, c, m)
    Wd, M = _dense_heat_graph(X.T, 2, 0.5), _dense_mmd_matrix(ys, yt, c, 0.7)
    U, H, V = rng.random((d, r)), rng.random((c, r)), rng.random((r, n + m))
    args = (Wd, M, 3.0, 0.5, 2.0)
    grad = _eq8_half_gradient_V(X, U, H, V, Y, E, *args)
    h = 1e-6
    for k, j in [(0, 0), (1, 4), (2, n + 1), (0, n + m - 1)]:
        Vp, Vm = V.copy(), V.copy()
        Vp[k, j] += h
        Vm[k, j] -= h
        fd = (_eq8_dense(X, U, H, Vp, Y, E, *args) - _eq8_dense(X, U, H, Vm, Y, E, *args)) / (2 * h)
        assert grad[k, j] == pytest.approx(fd / 2, rel=1e-6)


@pytest.mark.parametrize("beta,lam,gamma", [(2.0, 0.5, 3.0), (0.0, 0.5, 3.0), (2.0, 0.0, 0.0)])
def test_fast_update_equals_dense_gradient_reference(beta, lam, gamma):
    """satnmf_update with the implicit M and the sparse graph against V ← V∘∇⁻/∇⁺ computed from
    Eq (8)'s gradient with dense, independently built M and W; 30 rounds."""
    rng = np.random.default_rng(9)
    d, n, m, c, r, alpha, sigma = 10, 14, 12, 3, 4, 0.6, 0.8
    X = rng.random((d, n + m))
    ys, yt = np.arange(n) % c, rng.integers(0, c, m)
    Y, E = label_matrices(ys, c, m)
    mmd = MMDGroups.from_labels(ys, yt, c, alpha)
    W = knn_graph(X.T, 3, sigma)
    degree = np.asarray(W.sum(1)).ravel()
    Wd, M = _dense_heat_graph(X.T, 3, sigma), _dense_mmd_matrix(ys, yt, c, alpha)
    U0, H0, V0 = rng.random((d, r)), rng.random((c, r)), rng.random((r, n + m))
    fast, ref = (U0, H0, V0), (U0, H0, V0)
    for _ in range(30):
        fast = satnmf_update(X, *fast, Y, E, beta=beta, lam=lam, gamma=gamma, W=W,
                             degree=degree, mmd=mmd)[:3]
        ref = _dense_round(X, *ref, Y, E, Wd, M, beta, lam, gamma)
    for name, a, b in zip("UHV", fast, ref):
        if name == "H" and beta == 0:
            continue                                   # H is not updated without labels
        assert np.linalg.norm(a - b) <= 1e-8 * np.linalg.norm(b), name


@pytest.mark.parametrize("name", list(VARIANTS))
def test_fast_solver_equals_dense_solver(name):
    Xs, ys, Xt = toy()
    kw = dict(r=4, n_trials=2, max_iter=40, tol=0, alpha=0.5, beta=2.0, gamma=3.0, lam=0.5, p=3,
              dtype="float64")
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
    """Eq (8) with every term active (β = 100 on the 0/1 mask, α, γ, λ > 0) never rises."""
    Xs, ys, Xt = toy(1)
    model = SATNMF(r=5, n_trials=1, max_iter=80, tol=0, p=3, dtype="float64").fit(Xs, ys, Xt)
    f = np.asarray(model.objective_)
    assert model.beta > 0 and model.label_weights == "binary"
    assert len(f) == 80 and np.isfinite(f).all()
    assert f[-1] < 0.5 * f[0]
    assert np.all(np.diff(f) <= 1e-9 * f[:-1])          # the split updates descend Eq (8) here
    assert model.pseudo_labels_.shape == (len(Xt),)


def separable_toy(seed, c=2, n=60, m=60, d=30, amp=0.3):
    """Two strong class-blind non-negative patterns plus a weak class pattern (class k lights
    block k of the features): rank-2 NMF spends its codes on the strong patterns."""
    rng = np.random.default_rng(seed)
    P = rng.random((2, d))
    C = np.kron(np.eye(c), np.ones((1, d // c)))
    y = np.arange(n + m) % c
    X = rng.gamma(2.0, 1.0, (n + m, 2)) @ P + amp * C[y] + 0.1 * rng.random((n + m, d))
    return X[:n], y[:n], X[n:]


def test_supervised_codes_separate_classes_better_than_nmf():
    """Linear SVM, 3-fold cross-validation on the labelled (source) codes: SNMF (β = 10) vs
    NMF (β = 0). Measured: about 0.88 vs 0.57 on seeds 0–3 (float64)."""
    def code_accuracy(beta, seed):
        Xs, ys, Xt = separable_toy(seed)
        model = make_variant("SNMF", r=2, beta=beta, n_trials=1, max_iter=500, tol=1e-7,
                             dtype="float64", random_state=seed).fit(Xs, ys, Xt)
        Vs = model.V_[:, :len(ys)].T
        return cross_val_score(LinearSVC(dual=True, max_iter=20000), Vs, ys, cv=3).mean()

    nmf = np.mean([code_accuracy(0.0, s) for s in (0, 1)])
    snmf = np.mean([code_accuracy(10.0, s) for s in (0, 1)])
    assert snmf >= nmf + 0.15, (nmf, snmf)


def test_tnmf_differs_from_stnmf_lambda():
    """TNMF (α = β = 0) and STNMF-λ (α = 0, β = 100) differ only in the label term."""
    Xs, ys, Xt = toy(4)
    kw = dict(r=4, n_trials=2, max_iter=60, tol=0, p=3, dtype="float64")
    tnmf, stnmf = make_variant("TNMF", **kw).fit(Xs, ys, Xt), make_variant("STNMF-λ", **kw).fit(Xs, ys, Xt)
    assert np.linalg.norm(tnmf.V_ - stnmf.V_) > 0.1 * np.linalg.norm(tnmf.V_)
    n = len(ys)
    svm_t = LinearSVC(dual=True, max_iter=20000)
    acc = [cross_val_score(svm_t, mdl.V_[:, :n].T, ys, cv=3).mean() for mdl in (tnmf, stnmf)]
    assert acc[1] > acc[0], acc


def test_convergence_is_reported():
    Xs, ys, Xt = toy(2)
    done = SATNMF(r=3, n_trials=2, max_iter=500, tol=1e-3).fit(Xs, ys, Xt)
    for tr in done.trials_:
        assert tr["converged"] and tr["rel_change"] <= 1e-3 and 1 < len(tr["objective"]) < 500
        f = tr["objective"]
        assert tr["rel_change"] == pytest.approx(abs(f[-2] - f[-1]) / f[-2])
    assert done.converged_
    cut = SATNMF(r=3, n_trials=1, max_iter=5, tol=1e-12).fit(Xs, ys, Xt)
    tr = cut.trials_[0]
    assert not cut.converged_ and not tr["converged"] and len(tr["objective"]) == 5
    assert tr["rel_change"] > 1e-12


def test_float32_follows_float64():
    Xs, ys, Xt = toy(5)
    kw = dict(r=4, n_trials=3, max_iter=60, tol=0, p=3)
    a, b = SATNMF(dtype="float32", **kw).fit(Xs, ys, Xt), SATNMF(dtype="float64", **kw).fit(Xs, ys, Xt)
    assert a.V_.dtype == np.float32 and b.V_.dtype == np.float64
    assert np.allclose(a.objective_, b.objective_, rtol=1e-4)
    assert np.mean(a.predict() == b.predict()) >= 0.9


def test_parallel_trials_equal_serial_trials():
    Xs, ys, Xt = toy(6)
    kw = dict(r=3, n_trials=3, max_iter=30, tol=0, p=3, dtype="float64")
    one, two = SATNMF(n_jobs=1, **kw).fit(Xs, ys, Xt), SATNMF(n_jobs=2, **kw).fit(Xs, ys, Xt)
    for a, b in zip(one.trials_, two.trials_):
        assert np.array_equal(a["V"], b["V"]) and a["objective"] == b["objective"]


def test_progress_bar_counts_trials_times_rounds(capsys):
    Xs, ys, Xt = toy(7)
    SATNMF(r=3, n_trials=2, max_iter=7, tol=0, progress=True).fit(Xs, ys, Xt)
    err = capsys.readouterr().err
    assert "14/14" in err and "2 trials x 7 rounds" in err
    SATNMF(r=3, n_trials=2, max_iter=7, tol=0).fit(Xs, ys, Xt)
    assert capsys.readouterr().err == ""


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


def test_pseudo_labels_in_the_source_span_equal_the_svm_on_raw_features():
    """Eq 5's pseudo labels come from the linear SVM solved in the span of the source rows
    (d > n as with ComParE): the same dual problem, so the same predictions and decision values
    as liblinear on the raw features, here with 300 features and 60 source clips."""
    from stienet.satnmf import linear_svm, svm_pseudo_labels
    from stienet.baselines.common import span_svm

    rng = np.random.default_rng(3)
    ys = np.arange(60) % 3
    Xs = rng.random((60, 300)) + 0.3 * np.eye(3, 300)[ys]
    Xt = rng.random((80, 300)) + 0.2 * np.eye(3, 300)[np.arange(80) % 3]
    raw = linear_svm(0.5).fit(Xs, ys)
    assert np.array_equal(svm_pseudo_labels(Xs, ys, Xt, 0.5), raw.predict(Xt))
    U, span = span_svm(0.5, Xs, ys)
    assert np.allclose(span.decision_function(Xt @ U), raw.decision_function(Xt), atol=1e-4)
