"""STIENet Eq (1)-(5) against independent references (kernel form, loops, autograd)."""
import pytest
import torch

from stienet.losses import (LossWeights, class_mmd, inverse_entropy, mmd, pseudo_labels,
                            rejection_loss, total_loss)

torch.manual_seed(0)


def test_eq1_equals_linear_kernel_mmd():
    fs, ft = torch.randn(7, 5, dtype=torch.float64), torch.randn(11, 5, dtype=torch.float64) + 0.3
    kss, ktt, kst = fs @ fs.T, ft @ ft.T, fs @ ft.T
    reference = kss.mean() + ktt.mean() - 2 * kst.mean()
    assert torch.allclose(mmd(fs, ft), reference)
    assert mmd(fs, fs).item() == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError, match=r"fs \(n, d\)"):
        mmd(fs, ft[:, :3])


def test_eq2_equals_loop_of_eq1_and_skips_absent_classes():
    fs, ft = torch.randn(12, 4, dtype=torch.float64), torch.randn(9, 4, dtype=torch.float64)
    ys = torch.tensor([0, 0, 1, 1, 1, 2, 2, 0, 1, 2, 0, 1])
    yt = torch.tensor([0, -1, 1, 1, 0, -1, 0, 1, 1])           # class 2 absent in target
    reference = sum(((fs[ys == k].mean(0) - ft[yt == k].mean(0)) ** 2).sum() for k in (0, 1))
    assert torch.allclose(class_mmd(fs, ys, ft, yt, K=3), reference)
    assert class_mmd(fs, ys, ft, torch.full((9,), -1), K=3).item() == 0.0


def test_pseudo_labels_known_only_and_threshold():
    logits = torch.tensor([[5.0, 0, 0, 0], [0, 0, 0, 5.0], [1.0, 1.1, 0, 0]])
    assert pseudo_labels(logits).tolist() == [0, -1, 1]
    assert pseudo_labels(logits, threshold=0.5).tolist() == [0, -1, -1]


def test_eq3_is_cross_entropy_to_the_last_class():
    logits = torch.randn(6, 4, dtype=torch.float64)
    reference = -torch.log_softmax(logits, 1)[:, 3].mean()
    assert torch.allclose(rejection_loss(logits), reference)


def test_eq4_gradient_matches_autograd_scaling():
    w = torch.randn(5, 4, dtype=torch.float64, requires_grad=True)
    x = torch.randn(8, 5, dtype=torch.float64)
    phi, eps = 0.3, 1.7
    l_rej = rejection_loss(x @ w)
    (grad_inv,) = torch.autograd.grad(eps * inverse_entropy(l_rej, phi), w, retain_graph=True)
    (grad_rej,) = torch.autograd.grad(l_rej, w)
    expected = -eps / (l_rej.detach() + phi) ** 2 * grad_rej
    assert torch.allclose(grad_inv, expected)
    with pytest.raises(ValueError, match="phi must be > 0"):
        inverse_entropy(l_rej, 0.0)


def test_eq5_composition_with_zero_weights():
    terms = {k: torch.tensor(v) for k, v in
             {"cls": 1.0, "rej": 2.0, "mmd": 3.0, "mmd_class": 4.0, "inv": 5.0}.items()}
    assert total_loss(terms, LossWeights()).item() == 15.0
    w = LossWeights(alpha=2.0, beta=0.0, gamma=0.5, delta=0.0, epsilon=1.5)
    assert total_loss(terms, w).item() == pytest.approx(2 * 1 + 0.5 * 3 + 1.5 * 5)
    terms["rej"] = torch.tensor(float("nan"))          # a term weighted 0 is left out entirely
    assert total_loss(terms, w).item() == pytest.approx(11.0)


@pytest.mark.parametrize("bad", [{"alpha": -1.0}, {"epsilon": float("nan")}, {"beta": float("inf")}])
def test_bad_weights(bad):
    with pytest.raises(ValueError, match="finite and >= 0"):
        LossWeights(**bad)
