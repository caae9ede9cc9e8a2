"""Open-set baselines (STIENet Tables 2-3): each against an independent reference, and each on a
toy problem where the known classes are separable and the unknowns lie apart."""
import itertools

import numpy as np
import pytest
import torch

from stienet.baselines.ati import ATI, assign, assignment_cost, fit_transform_map, homogeneous
from stienet.baselines.daod import (DAOD, cosine_laplacian, daod_objective, daod_step,
                                    mmd_matrix, rbf_kernel, targets, weights)
from stienet.baselines.osbp import grad_reverse, osbp_step, unknown_bce
from stienet.baselines.osnn import T_GRID, T_GRID_SPEAKER, OSNN, distance_ratio, normalised_accuracy
from stienet.baselines.tnmf_open import TNMFOpen
from stienet.metrics import open_set_metrics


def toy(seed=0, d=6, n_per=12, m_unk=12, spread=0.4, shift=0.5):
    """Three separable source classes; target = shifted copies of them + a far unknown cluster."""
    rng = np.random.default_rng(seed)
    centres = 6 * np.eye(3, d)
    Xs = np.repeat(centres, n_per, 0) + rng.normal(0, spread, (3 * n_per, d))
    ys = np.repeat(np.arange(3), n_per)
    Xt_known = np.repeat(centres, n_per, 0) + shift + rng.normal(0, spread, (3 * n_per, d))
    unknown = np.zeros(d)
    unknown[3:] = 6
    Xt = np.r_[Xt_known, unknown + rng.normal(0, spread, (m_unk, d))]
    yt = np.r_[ys, np.full(m_unk, 3)]
    return Xs, ys, Xt, yt


def score(est, Xs, ys, Xt, yt):
    m = open_set_metrics(yt, est.fit(Xs, ys, Xt).predict(Xt), 3)
    return m["OS*"], m["UNK"]


# --- OSNN -------------------------------------------------------------------------------------

def brute_ratio(X_fit, y_fit, x):
    dists = [float(np.sqrt(((x - xf) ** 2).sum())) for xf in X_fit]
    t = int(np.argmin(dists))
    d_u = min(d for d, y in zip(dists, y_fit) if y != y_fit[t])
    return y_fit[t], (dists[t] / d_u if d_u > 0 else 0.0)


def test_osnn_ratio_and_labels_match_brute_force():
    rng = np.random.default_rng(1)
    X_fit, y_fit, X = rng.normal(size=(25, 4)), rng.integers(0, 3, 25), rng.normal(size=(15, 4))
    label, R = distance_ratio(X_fit, y_fit, X)
    for i, x in enumerate(X):
        bl, br = brute_ratio(X_fit, y_fit, x)
        assert label[i] == bl and R[i] == pytest.approx(br)
    assert ((R >= 0) & (R <= 1)).all()
    est = OSNN(T=0.7).fit(X_fit, y_fit)
    expect = [bl if br <= 0.7 else 3 for bl, br in (brute_ratio(X_fit, y_fit, x) for x in X)]
    assert est.predict(X).tolist() == expect


def test_osnn_threshold_uses_source_only_and_maximises_na():
    Xs, ys, Xt, yt = toy()
    a = OSNN().fit(Xs, ys, Xt)
    b = OSNN().fit(Xs, ys, Xt[::-1] * 10)          # another target: same T
    assert a.validation_ == "random"                   # no speakers given: the paper's halves
    assert a.T_ == b.T_ and a.search_.max() == a.search_[list(T_GRID).index(a.T_)]
    assert normalised_accuracy([0, 1, -1, -1], [0, 0, -1, 1], -1) == pytest.approx(0.5 * 0.5 + 0.5 * 0.5)
    # duplicated (oversampled) source rows change nothing
    c = OSNN().fit(np.r_[Xs, Xs[:5]], np.r_[ys, ys[:5]])
    assert c.T_ == a.T_ and len(c.X_) == len(Xs)


def _speaker_toy(seed=0):
    """Three known classes spoken by four source speakers; each speaker shifts every feature by
    an offset of their own, so a clip's nearest neighbours are its own speaker's. A new
    speaker (the target) brings the known classes and one unknown class."""
    rng = np.random.default_rng(seed)
    centres = np.eye(6)[:4] * 3.0
    def speaker(classes, n=8):
        offset = rng.normal(0, 1.0, 6)
        X = np.concatenate([centres[c] + offset + rng.normal(0, 0.25, (n, 6)) for c in classes])
        return X, np.repeat(classes, n)
    parts = [speaker([0, 1, 2]) for _ in range(4)]
    Xs, ys = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    groups = np.repeat(np.arange(4), 24)
    Xt, yt = speaker([0, 1, 2, 3])
    return Xs, ys, groups, Xt, yt


def test_osnn_speaker_disjoint_threshold_accepts_a_new_speaker():
    """Random halves keep a clip's own speaker in the fitting part, so they choose a T that
    rejects a new speaker's known clips; leave-one-speaker-out measures ratios across speakers,
    as they will be across corpora. Checked against a brute-force search of the same splits."""
    Xs, ys, groups, Xt, yt = _speaker_toy()
    by_speaker = OSNN().fit(Xs, ys, groups=groups)
    halves = OSNN(validation="random").fit(Xs, ys, groups=groups)
    assert by_speaker.validation_ == "speaker" and halves.validation_ == "random"
    known = yt < 3
    kept = lambda est: float((est.predict(Xt[known]) < 3).mean())  # noqa: E731
    assert kept(by_speaker) > kept(halves)
    # brute force: NA of every (class, speaker) split at the chosen T and at every grid value
    grid = np.asarray(T_GRID_SPEAKER)
    na, h = np.zeros(len(grid)), np.zeros(len(grid))
    splits = 0
    for out in range(3):
        for g in range(4):
            fit = (groups != g) & (ys != out)
            val = groups == g
            pred = [brute_ratio(Xs[fit], ys[fit], x) for x in Xs[val]]
            truth = np.where(ys[val] == out, -1, ys[val])
            decided = [[lab if r <= T else -1 for lab, r in pred] for T in grid]
            na += [normalised_accuracy(truth, d, -1) for d in decided]
            for i, d in enumerate(decided):                   # H of AKS and AUS, by hand
                d = np.asarray(d)
                aks = (d[truth != -1] == truth[truth != -1]).mean()
                aus = (d[truth == -1] == -1).mean()
                h[i] += 2 * aks * aus / (aks + aus) if aks + aus else 0.0
            splits += 1
    na, h = na / splits, h / splits
    assert np.allclose(na, by_speaker.search_)
    assert by_speaker.T_ in grid[na == na.max()]
    by_h = OSNN(criterion="h").fit(Xs, ys, groups=groups)
    assert np.allclose(h, by_h.search_) and by_h.T_ in grid[h == h.max()]
    # rejecting everything scores NA 0.5 but H 0: the H choice keeps some known clips
    assert h[0] == 0 and na[0] == pytest.approx(0.5)


def test_osnn_toy():
    os_star, unk = score(OSNN(), *toy())
    assert os_star > 0.9 and unk > 0.9


# --- ATI --------------------------------------------------------------------------------------

def test_ati_assignment_matches_brute_force():
    rng = np.random.default_rng(2)
    for trial in range(5):
        D = rng.random((2, 6)) * 10
        lam = float(rng.random() * 10)
        best = min(assignment_cost(D, lam, np.array(lab))
                   for lab in itertools.product(range(3), repeat=6)
                   if all(c in lab for c in range(2)))              # every class used once at least
        got = assign(D, lam)
        assert assignment_cost(D, lam, got) == pytest.approx(best)
        assert {0, 1} <= set(got.tolist())


def test_ati_map_matches_least_squares_on_pairs():
    rng = np.random.default_rng(3)
    Xs, ys = rng.normal(size=(12, 3)), np.repeat([0, 1, 2], 4)
    Xt, labels = rng.normal(size=(9, 3)), np.array([0, 0, 1, 1, 2, 2, 3, 3, 0])
    eps = 0.5
    W = fit_transform_map(Xs, ys, Xt, labels, 3, eps)
    # reference: stacked pairs (x̃_s -> x_t of the same class) plus ridge rows sqrt(eps)·(I -> I0)
    A = [np.sqrt(eps) * np.eye(4)]
    B = [np.sqrt(eps) * np.eye(4, 3)]
    for c in range(3):
        for t in Xt[labels == c]:
            for s in homogeneous(Xs)[ys == c]:
                A.append(s[None])
                B.append(t[None])
    ref = np.linalg.lstsq(np.vstack(A), np.vstack(B), rcond=None)[0].T
    assert np.allclose(W, ref)


def test_ati_toy():
    os_star, unk = score(ATI(n_components=None), *toy(m_unk=6))
    assert os_star > 0.9 and unk > 0.9


# --- DAOD -------------------------------------------------------------------------------------

def small_daod_problem(seed=4, n=8, m=7, K=2):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n + m, 5))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    ys, yt = np.arange(n) % K, rng.integers(0, K + 1, m)
    Kmat = rbf_kernel(X)
    Y, Y2 = targets(ys, m, K)
    e, e2 = weights(n, m, 0.4, 0.2)
    return Kmat, e, e2, Y, Y2, mmd_matrix(ys, yt, K, 0.5), cosine_laplacian(X, 3), ys, yt


def test_daod_closed_form_is_the_minimiser():
    Kmat, e, e2, Y, Y2, M, L, *_ = small_daod_problem()
    args = dict(lam=50.0, rho=1.0, sigma=1.0)
    beta = daod_step(Kmat, e, e2, Y, Y2, M, L, **args)
    t = lambda a: torch.tensor(a, dtype=torch.float64)              # noqa: E731
    b = t(beta).requires_grad_()
    J = daod_objective(b, t(Kmat), t(e), t(e2), t(Y), t(Y2), t(M), t(L), xp=torch, **args)
    J.backward()
    assert b.grad.abs().max().item() < 1e-8 * max(1.0, abs(J.item()))   # stationary (autograd)
    # and a direct solve of the quadratic: minimise J by L-BFGS from zero
    from scipy.optimize import minimize

    def fun(v):
        bb = t(v.reshape(beta.shape)).requires_grad_()
        j = daod_objective(bb, t(Kmat), t(e), t(e2), t(Y), t(Y2), t(M), t(L), xp=torch, **args)
        j.backward()
        return j.item(), bb.grad.numpy().ravel()
    res = minimize(fun, np.zeros(beta.size), jac=True, method="L-BFGS-B",
                   options=dict(maxiter=20000, gtol=1e-12, ftol=1e-15))
    assert res.fun == pytest.approx(J.item(), rel=1e-6, abs=1e-6)
    assert np.allclose(Kmat @ res.x.reshape(beta.shape), Kmat @ beta, atol=1e-3)


def test_daod_mmd_matrix_is_the_mean_difference():
    *_, M, _, ys, yt = small_daod_problem()
    rng = np.random.default_rng(5)
    n, K, mu = len(ys), 2, 0.5

    def direct(F):
        fs, ft = F[:n], F[n:]
        known = yt < K
        val = (1 - mu) * K * ((fs.mean(0) - ft[known].mean(0)) ** 2).sum()
        for c in range(K):
            a = fs[ys == c].mean(0)
            b = ft[yt == c].mean(0) if (yt == c).any() else 0 * a
            val += mu * ((a - b) ** 2).sum()
        return val
    ratios = []
    for _ in range(3):
        F = rng.normal(size=(len(M), 3))
        ratios.append(np.trace(F.T @ M @ F) / direct(F))
    assert np.allclose(ratios, ratios[0])                            # M ∝ the mean-difference form
    assert np.linalg.norm(M) == pytest.approx(1.0)


def test_daod_toy():
    Xs, ys, Xt, yt = toy()
    os_star, unk = score(DAOD(), Xs + 1, ys, Xt + 1, yt)            # positive offset: cosine graph
    assert os_star > 0.9 and unk > 0.9


# --- TNMF + OSNN ------------------------------------------------------------------------------

def test_tnmf_open_toy():
    Xs, ys, Xt, yt = toy()
    os_star, unk = score(TNMFOpen(r=6, max_iter=150), np.abs(Xs), ys, np.abs(Xt), yt)
    assert os_star > 0.9 and unk > 0.9


# --- OSBP -------------------------------------------------------------------------------------

def test_grad_reverse_sign_and_scale_against_autograd():
    x = torch.randn(5, 4, dtype=torch.float64, requires_grad=True)
    w = torch.randn(5, 4, dtype=torch.float64)
    for coeff in (1.0, 0.3):
        (grad_reverse(x, coeff) * w).sum().backward()
        ref = torch.autograd.grad((-coeff * x * w).sum(), x)[0]      # d/dx of −coeff·<x, w>
        assert torch.allclose(x.grad, ref) and torch.equal(grad_reverse(x, coeff), x)
        x.grad = None


def test_unknown_bce_formula():
    logits = torch.randn(6, 4, dtype=torch.float64)
    p = torch.exp(logits[:, 3]) / torch.exp(logits).sum(1)
    ref = -(0.5 * torch.log(p) + 0.5 * torch.log(1 - p)).mean()
    assert unknown_bce(logits, 0.5, eps=0).item() == pytest.approx(ref.item())
    # minimal exactly on the boundary p(unknown) = t
    on = torch.tensor([[0.0, 0.0, 0.0, np.log(3.0)]])               # p_K = 0.5
    assert unknown_bce(on) < unknown_bce(on + torch.tensor([[0, 0, 0, 0.5]]))


def test_osbp_step_reverses_only_the_encoders_adversarial_gradient():
    from stienet.model import ModelConfig, STIENet

    torch.manual_seed(0)
    model = STIENet(3, ModelConfig(hidden=32)).double().eval()     # eval: no dropout randomness
    xs, xt = torch.randn(4, 1600, dtype=torch.float64), torch.randn(4, 1600, dtype=torch.float64)
    ys = torch.tensor([0, 1, 2, 0])
    terms, loss = osbp_step(model, xs, ys, xt, None)
    grads = torch.autograd.grad(loss, list(model.parameters()), allow_unused=True)
    # reference without any reversal layer: L_s and L_adv separately
    f = model.encoder(torch.cat([xs, xt]))
    logits = model.classifier(f)
    l_s = torch.nn.functional.cross_entropy(logits[:4], ys)
    l_adv = unknown_bce(logits[4:])
    assert terms["cls"].item() == pytest.approx(l_s.item()) and terms["adv"].item() == pytest.approx(l_adv.item())
    enc = list(model.encoder.parameters())
    g_enc = torch.autograd.grad(l_s - l_adv, enc, retain_graph=True, allow_unused=True)
    g_cls = torch.autograd.grad(l_s + l_adv, list(model.classifier.parameters()), allow_unused=True)
    for got, ref in zip(grads[:len(enc)], g_enc):
        if ref is not None:
            assert torch.allclose(got, ref, atol=1e-10)
    for got, ref in zip(grads[len(enc):], g_cls):
        if ref is not None:
            assert torch.allclose(got, ref, atol=1e-10)


# --- LEAD -------------------------------------------------------------------------------------

def test_lead_decomposition_against_projection_matrix():
    from stienet.baselines.lead import decompose, projection_norms

    g = torch.Generator().manual_seed(0)
    W, f = torch.randn(3, 10, generator=g, dtype=torch.float64), torch.randn(7, 10, generator=g, dtype=torch.float64)
    Uk, Uu = decompose(W)
    assert torch.allclose(torch.cat([Uk, Uu]) @ torch.cat([Uk, Uu]).T, torch.eye(10, dtype=torch.float64))
    P = W.T @ torch.linalg.inv(W @ W.T) @ W                            # projector onto W's row space
    fn = f / f.norm(dim=1, keepdim=True)
    kn, un = projection_norms(f, Uk, Uu)
    assert torch.allclose(kn, (fn @ P).norm(dim=1)) and torch.allclose(un, (fn - fn @ P).norm(dim=1))


def test_lead_pseudo_labels_toy():
    from stienet.baselines.lead import pseudo_labels

    rng = np.random.default_rng(0)
    D, K = 12, 3
    W = torch.tensor(np.eye(K, D) * 3)
    known = np.repeat(np.eye(K, D), 10, 0) + rng.normal(0, 0.05, (30, D))        # along the weights
    unk = np.zeros((10, D))
    unk[:, 6:] = 1
    unk += rng.normal(0, 0.05, (10, D))                                          # orthogonal to them
    feats = torch.tensor(np.r_[known, unk])
    probs = (feats @ W.T).softmax(1)
    labels, weight, unknown = pseudo_labels(feats, probs, W, coeff=1.0)
    assert labels[:30].tolist() == np.repeat(np.arange(3), 10).tolist()
    assert labels[30:].tolist() == [3] * 10 and unknown[30:].all()
    assert ((weight >= 0) & (weight <= 1)).all()


def test_lead_entropy_rule_and_source_step():
    from stienet.baselines.lead import entropy_unknown_score, predict_open, source_step
    from stienet.model import ModelConfig, STIENet

    p = np.array([[1.0, 0, 0], [1 / 3, 1 / 3, 1 / 3], [0.6, 0.3, 0.1]])
    ref = [0.0, 1.0, -(0.6 * np.log(0.6) + 0.3 * np.log(0.3) + 0.1 * np.log(0.1)) / np.log(3)]
    assert np.allclose(entropy_unknown_score(p), ref, atol=1e-6)
    assert predict_open(p, 0.55).tolist() == [0, 3, 3]                  # H(0.6, 0.3, 0.1) = 0.82
    torch.manual_seed(0)
    model = STIENet(3, ModelConfig(hidden=16)).eval()
    xs, ys = torch.randn(4, 1600), torch.tensor([0, 1, 2, 0])
    terms, loss = source_step(model, xs, ys, torch.randn(4, 1600), None)
    logits = model.classifier(model.encoder(xs))[:, :3]                 # K known outputs only
    ref = torch.nn.functional.cross_entropy(logits, ys, label_smoothing=0.1)
    assert loss.item() == pytest.approx(ref.item(), rel=1e-5)


@pytest.mark.parametrize("name", ["osnn", "ati", "daod", "tnmf_open"])
def test_docstring_examples_run(name):
    import doctest
    import importlib

    module = importlib.import_module(f"stienet.baselines.{name}")
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
