"""The quantile SAE with ``feature_norm``: fixed-scale feature vectors, so only the ICs weigh a feature."""

from __future__ import annotations

import statistics

import pytest
import torch
from helpers import assert_importance_simplex, small_model, synthetic_graphs
from hypothesis import given
from hypothesis import strategies as st
from torch_geometric.data import Batch

from sagatsr.model import SelfAdaptableEncoding
from sagatsr.training import TrainedModel


def _normed_sae(values: torch.Tensor, heads: int = 2, dim: int = 8) -> SelfAdaptableEncoding:
    sae = SelfAdaptableEncoding(values.size(1), dim, mode="quantile", num_basis=6, heads=heads, feature_norm=True)
    sae.fit_ranges(values)
    return sae


def _rms(vectors: torch.Tensor) -> torch.Tensor:
    return vectors.pow(2).mean(-1).sqrt()


@given(seed=st.integers(0, 1000), n_features=st.integers(2, 30), heads=st.integers(1, 4))
def test_ics_form_a_simplex_and_a_constant_feature_gets_zero(seed, n_features, heads):
    torch.manual_seed(seed)
    values = torch.randn(20, n_features) * torch.logspace(-3, 3, n_features)
    values[:, 0] = 7.0  # constant in training
    sae = _normed_sae(values, heads)
    vector, ics = sae(torch.cat([values * 1.1, torch.full((1, n_features), 1e9)]))  # with a far outlier row
    assert vector.shape == (21, 8) and torch.isfinite(vector).all()
    assert_importance_simplex(ics)
    assert torch.all(ics[:, 0] == 0)


@given(seed=st.integers(0, 1000))
def test_every_feature_vector_has_unit_rms_whatever_the_value_and_weights(seed):
    torch.manual_seed(seed)
    values = torch.randn(30, 6) * torch.tensor([1e-3, 1.0, 1e3, 5.0, 0.1, 1e6])
    sae = _normed_sae(values)
    with torch.no_grad():
        sae.weight.mul_(torch.logspace(-3, 3, 6).reshape(6, 1, 1))  # per-feature weights of very different size
        sae.slope.mul_(torch.logspace(3, -3, 6).reshape(6, 1))
    probe = torch.cat([values, values * 100.0, -values])  # inside, far outside and mirrored
    torch.testing.assert_close(_rms(sae.project(probe)), torch.ones(90, 6), atol=1e-4, rtol=0)


def test_a_features_own_weight_scale_changes_neither_its_ic_nor_the_output():
    torch.manual_seed(0)
    values = torch.randn(12, 5) * torch.tensor([1.0, 10.0, 0.1, 3.0, 100.0])
    sae = _normed_sae(values)
    plain = SelfAdaptableEncoding(5, 8, mode="quantile", num_basis=6, heads=2)  # same weights, no norm
    plain.load_state_dict(sae.state_dict())
    before, plain_before = sae(values), plain(values)
    with torch.no_grad():  # feature 2 scales its whole projection by 50
        for parameter in (*sae.parameters(), *plain.parameters()):
            if parameter.dim() >= 2 and parameter.size(0) == 5:  # weight, slope, bias: one slice per feature
                parameter[2] *= 50.0
    after = sae(values)
    torch.testing.assert_close(after[1], before[1])
    torch.testing.assert_close(after[0], before[0])
    assert (plain(values)[1] - plain_before[1]).abs().max() > 1e-3  # without the norm it moves the ICs


def test_output_pools_unit_vectors_with_sqrt_of_the_varying_count():
    torch.manual_seed(1)
    values = torch.randn(7, 6) * torch.logspace(-2, 2, 6)
    values[:, 4] = 3.0  # constant: |V| = 5
    sae = _normed_sae(values, heads=3)
    vector, _ = sae(values)
    projected = sae.project(values)
    per_head = sae.head_importance(projected)  # [n, N, K]
    pooled = torch.einsum("nfk,nfd->nkd", per_head * 5 ** 0.5, projected).reshape(7, -1)
    torch.testing.assert_close(vector, sae.out(torch.nn.functional.leaky_relu(pooled, 0.2)))


@pytest.mark.parametrize("mode", ["binned", "gaussian"])
def test_feature_norm_is_refused_outside_quantile_mode(mode):
    with pytest.raises(ValueError, match="feature_norm needs mode 'quantile'"):
        SelfAdaptableEncoding(3, 4, mode=mode, feature_norm=True)


def test_sagat_records_the_option_and_a_saved_model_reloads_with_it(tmp_path):
    graphs = synthetic_graphs(4, seed=3)
    model = small_model(graphs[0], sae_mode="quantile", sae_heads=2, sae_feature_norm=True)
    model.fit_normalization(graphs)
    assert model.description()["args"]["sae_feature_norm"] is True
    assert model.crystal_encoder.feature_norm and model.site_encoder.feature_norm
    TrainedModel(model, crystal_names=[f"u{k}" for k in range(graphs[0].u.size(1))]).save(tmp_path / "m")
    loaded = TrainedModel.load(tmp_path / "m").model
    assert loaded.crystal_encoder.feature_norm
    batch = Batch.from_data_list(graphs)
    with torch.no_grad():
        expected = model.eval().predict_with_importance(batch)[2]
        torch.testing.assert_close(loaded.predict_with_importance(batch)[2], expected)


def _planted_feature_ic_ratio(seed: int, n_features: int = 8, planted: int = 3) -> float:
    """Train SAE + linear head on y = 2 tanh(x_planted / std); mean IC of the planted feature over
    the largest mean IC of the noise features."""
    torch.manual_seed(seed)
    x = torch.randn(256, n_features) * torch.logspace(-1, 2, n_features)
    y = 2.0 * torch.tanh(x[:, planted] / x[:, planted].std())
    sae = _normed_sae(x, heads=2)
    head = torch.nn.Linear(8, 1)
    optimizer = torch.optim.Adam([*sae.parameters(), *head.parameters()], lr=1e-2)
    for _ in range(250):
        optimizer.zero_grad()
        loss = (head(sae(x)[0]).squeeze(-1) - y).pow(2).mean()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        mean_ic = sae(x)[1].mean(0)
    noise = torch.cat([mean_ic[:planted], mean_ic[planted + 1:]])
    return float(mean_ic[planted] / noise.max())


def test_a_planted_informative_feature_gets_a_clearly_larger_ic_than_noise():
    # seeds 0-4: median 3.6 with the norm, 1.8 without it, 0.7 when y is noise; over 30 seeds the
    # median of 5 stayed >= 1.75 with the norm (1.2..1.8 without), so 1.5 is a margin, not a tuned cut
    with torch.random.fork_rng(devices=[]):
        ratios = [_planted_feature_ic_ratio(seed) for seed in range(5)]
    assert statistics.median(ratios) >= 1.5, ratios
