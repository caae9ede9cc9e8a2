"""Open-set metrics on hand-built cases (K = 3 known classes, label 3 = unknown)."""
import math

import pytest

from stienet.metrics import closed_set_metrics, open_set_metrics

Y = [0, 0, 1, 1, 2, 2, 3, 3, 3, 3]


def test_perfect_prediction():
    m = open_set_metrics(Y, Y, 3)
    assert m["OS"] == m["OS*"] == m["UNK"] == m["H"] == m["WAR"] == 1.0


def test_all_unknown_prediction():
    m = open_set_metrics(Y, [3] * len(Y), 3)
    assert m["OS*"] == 0.0 and m["UNK"] == 1.0 and m["OS"] == 0.25 and m["H"] == 0.0
    assert m["WAR"] == pytest.approx(0.4)
    assert m["confusion"][3] == [0, 0, 0, 4]


def test_mixed_case_by_hand():
    pred = [0, 1, 1, 1, 2, 3, 3, 0, 3, 3]
    m = open_set_metrics(Y, pred, 3)
    rec = [0.5, 1.0, 0.5, 0.75]
    assert m["recall"] == pytest.approx(rec)
    assert m["OS"] == pytest.approx(sum(rec) / 4)
    assert m["OS*"] == pytest.approx(2 / 3)
    assert m["H"] == pytest.approx(2 * (2 / 3) * 0.75 / (2 / 3 + 0.75))


def test_no_unknown_in_target():
    m = open_set_metrics([0, 1, 2, 2], [0, 1, 2, 3], 3)
    assert math.isnan(m["UNK"]) and math.isnan(m["H"])
    assert m["OS*"] == pytest.approx((1 + 1 + 0.5) / 3)
    assert m["OS"] == m["OS*"]                      # the absent class is left out of the mean


def test_closed_set():
    m = closed_set_metrics([0, 0, 0, 1], [0, 0, 1, 1], 2)
    assert m["UAR"] == pytest.approx((2 / 3 + 1) / 2) and m["WAR"] == 0.75
