"""IC stability measures and permutation importance: known answers on constructed cases."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from helpers import one_torch_thread, small_model, synthetic_graphs
from sagatsr.screening.stability import ic_agreement, permutation_importance, ranking_stability, top_overlap


@given(seed=st.integers(0, 10_000), n=st.integers(12, 40))
def test_identical_rankings_are_perfectly_stable_and_reversed_ones_anti(seed, n):
    scores = np.random.default_rng(seed).dirichlet(np.ones(n))
    names = [f"f{k}" for k in range(n)]
    same = ranking_stability([scores, scores, scores], names)
    assert same["pairs"] == 3 and same["spearman_min"] == pytest.approx(1.0) and same["top10_overlap_min"] == 1.0
    reversed_ = ranking_stability([scores, -scores], names)
    assert reversed_["spearman_mean"] == pytest.approx(-1.0)
    assert reversed_["top10_overlap_mean"] == max(0, 20 - n) / 10  # the two top-10s meet only if n < 20


def test_top_overlap_counts_shared_members_only():
    names = [f"f{k}" for k in range(20)]
    a = np.arange(20.0)          # top 10 = f10..f19
    b = np.r_[np.arange(15.0), -np.arange(5.0)]  # top 10 = f5..f14
    assert top_overlap(a, b, names) == 0.5
    assert ic_agreement(a, a, names)["spearman"] == pytest.approx(1.0)


class _Trained:
    """The two attributes permutation_importance uses from a TrainedModel."""

    def __init__(self, model):
        self.model = model


def test_a_feature_masked_as_constant_has_zero_permutation_importance():
    graphs = synthetic_graphs(24, seed=3)
    train = [g.clone() for g in graphs]
    for g in train:
        g.u[0, 0] = 5.0  # constant on the training rows: IC 0, so the model cannot use it
    with one_torch_thread():
        torch.manual_seed(0)
        model = small_model(graphs[0], sae_mode="quantile", sae_heads=2)
        model.fit_normalization(train)
        scores = permutation_importance(_Trained(model), graphs, repeats=2, seed=1)
    assert scores[0] == 0.0
    assert np.nanmax(scores[1:]) > 0.0
