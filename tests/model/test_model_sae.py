"""The self-adaptable encoding on its own: fitted ranges, binning, the continuous option, linearity."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_importance_simplex
from hypothesis import given
from hypothesis import strategies as st

from sagatsr.model import SelfAdaptableEncoding
from sagatsr.model.encodings import Standardize


def test_ranges_are_fitted_on_training_data_and_saved():
    values = torch.tensor([[1.0, -5.0, 7.0], [3.0, 5.0, 7.0], [2.0, 0.0, 7.0]])
    sae = SelfAdaptableEncoding(3, 4, num_bins=10)
    sae.fit_ranges(values)
    torch.testing.assert_close(sae.lower, torch.tensor([1.0, -5.0, 7.0]))
    torch.testing.assert_close(sae.upper, torch.tensor([3.0, 5.0, 8.0]))  # constant column widened
    assert {"lower", "upper"} <= set(sae.state_dict())


def test_binned_projection_uses_each_features_own_bins_and_clamps():
    sae = SelfAdaptableEncoding(2, 3, num_bins=4)
    sae.fit_ranges(torch.tensor([[0.0, 10.0], [4.0, 20.0]]))
    inside = sae.project(torch.tensor([[0.5, 12.0]]))
    torch.testing.assert_close(inside[0, 0], sae.table.weight[0])       # feature 0, bin 0
    torch.testing.assert_close(inside[0, 1], sae.table.weight[4 + 0])   # feature 1, bin 0
    outside = sae.project(torch.tensor([[-100.0, 1e9]]))
    torch.testing.assert_close(outside[0, 0], sae.table.weight[0])      # clamped to the first bin
    torch.testing.assert_close(outside[0, 1], sae.table.weight[4 + 3])  # clamped to the last bin


@given(seed=st.integers(0, 1000), n_features=st.integers(1, 40), mode=st.sampled_from(["binned", "gaussian"]))
def test_output_is_the_ic_weighted_sum(seed, n_features, mode):
    torch.manual_seed(seed)
    values = torch.randn(5, n_features) * torch.logspace(-3, 3, n_features)
    sae = SelfAdaptableEncoding(n_features, 8, mode=mode, num_bins=16)
    sae.fit_ranges(values)
    vector, ics = sae(values)
    assert_importance_simplex(ics)
    expected = torch.einsum("nf,nfd->nd", ics, sae.project(values))
    torch.testing.assert_close(vector, expected)


@given(seed=st.integers(0, 1000), heads=st.integers(2, 4), mode=st.sampled_from(["binned", "gaussian"]))
def test_multi_head_output_merges_each_heads_weighted_sum(seed, heads, mode):
    torch.manual_seed(seed)
    values = torch.randn(6, 7) * torch.logspace(-2, 2, 7)
    sae = SelfAdaptableEncoding(7, 8, mode=mode, num_bins=16, heads=heads)
    sae.fit_ranges(values)
    vector, ics = sae(values)
    projected = sae.project(values)
    per_head = torch.softmax(sae.sharpness * sae.score(projected), dim=1)  # [n, N, heads]
    for k in range(heads):
        assert_importance_simplex(per_head[..., k])
    expected = sae.merge(torch.einsum("nfk,nfd->nkd", per_head, projected).reshape(6, -1))
    torch.testing.assert_close(vector, expected)
    torch.testing.assert_close(ics, per_head.mean(-1))  # the reported ICs: the heads' mean
    assert_importance_simplex(ics)


def test_gaussian_mode_is_continuous_and_binned_is_piecewise_constant():
    values = torch.tensor([[0.0], [1.0]])
    smooth = SelfAdaptableEncoding(1, 4, mode="gaussian")
    binned = SelfAdaptableEncoding(1, 4, mode="binned", num_bins=10)
    for sae in (smooth, binned):
        sae.fit_ranges(values)
    a, b = torch.tensor([[0.500]]), torch.tensor([[0.501]])
    assert not torch.equal(smooth(a)[0], smooth(b)[0])
    torch.testing.assert_close(binned(a)[0], binned(b)[0])


def test_wrong_width_is_rejected():
    with pytest.raises(ValueError, match=r"\[n, 3\]"):
        SelfAdaptableEncoding(3, 4)(torch.zeros(2, 5))


def test_standardize_uses_training_statistics():
    values = torch.tensor([[1.0, 1e6], [3.0, 3e6]])
    scaler = Standardize(2)
    scaler.fit(values)
    torch.testing.assert_close(scaler(values), torch.tensor([[-1.0, -1.0], [1.0, 1.0]]))


def test_standardize_bounds_values_far_outside_a_nearly_constant_training_feature():
    # The demo's nearest-neighbour spread is ~1e-8 Å in every training crystal; boron's is 0.05 Å.
    train = torch.tensor([[1.0, 0.0], [3.0, 1.2e-8], [2.0, 0.0]])
    scaler = Standardize(2)
    scaler.fit(train)
    out = scaler(torch.tensor([[2.0, 0.053], [1e9, -1e9]]))
    assert out.abs().max() <= Standardize.clip
    assert out[0, 1] < 1.0  # a spread below 1e-6 of the scale counts as constant, not as ~1e-8 σ


@pytest.mark.parametrize("mode", ["binned", "gaussian", "quantile"])
def test_features_constant_in_training_get_zero_importance(mode):
    train = torch.tensor([[1.0, 5.0, 0.0], [2.0, 5.0, 1.0], [3.0, 5.0, 2.0]])
    sae = SelfAdaptableEncoding(3, 8, mode=mode, num_bins=10)
    sae.fit_ranges(train)
    _, ics = sae(torch.tensor([[1.5, 9.0, 0.5], [2.5, 5.0, 1.5]]))  # unseen value of the constant one too
    assert torch.all(ics[:, 1] == 0)
    torch.testing.assert_close(ics.sum(-1), torch.ones(2))
    sae.fit_ranges(torch.ones(3, 3))  # all constant: nothing to mask against, so nothing is masked
    assert torch.all(sae(train)[1] > 0)


@given(seed=st.integers(0, 1000), n_features=st.integers(1, 30), heads=st.integers(1, 4))
def test_quantile_mode_ics_form_a_simplex_and_ignore_constants(seed, n_features, heads):
    torch.manual_seed(seed)
    values = torch.randn(20, n_features) * torch.logspace(-3, 3, n_features)
    values[:, 0] = 7.0  # constant in training: IC exactly 0 (unless it is the only feature)
    sae = SelfAdaptableEncoding(n_features, 8, mode="quantile", heads=heads)
    sae.fit_ranges(values)
    vector, ics = sae(values * 1.1)
    assert vector.shape == (20, 8)
    assert_importance_simplex(ics)
    if n_features > 1:
        assert torch.all(ics[:, 0] == 0)


def test_quantile_position_is_the_empirical_cdf_and_monotone():
    train = torch.cat([torch.linspace(0.0, 1.0, 100), torch.tensor([1e6])]).reshape(-1, 1)  # one huge outlier
    sae = SelfAdaptableEncoding(1, 4, mode="quantile", num_knots=11)
    sae.fit_ranges(train)
    probe = torch.linspace(-1.0, 2.0, 50).reshape(-1, 1)
    u = sae.quantile_position(probe)[:, 0]
    assert torch.all(u[1:] >= u[:-1]) and u.min() == 0.0 and u.max() <= 1.0
    # the outlier does not squash the bulk: the median of the training values sits near u = 0.5
    assert abs(sae.quantile_position(torch.tensor([[0.5]])).item() - 0.5) < 0.06


def test_quantile_mode_with_uniform_ics_is_the_linear_encodings_first_layer():
    torch.manual_seed(0)
    values = torch.randn(6, 5) * torch.tensor([1.0, 10.0, 0.1, 3.0, 100.0])
    sae = SelfAdaptableEncoding(5, 8, mode="quantile")
    sae.fit_ranges(values)
    with torch.no_grad():
        sae.weight.zero_()  # linear per-feature projection only
        sae.score.weight.zero_()  # equal scores: ICs 1/N
    vector, ics = sae(values)
    torch.testing.assert_close(ics, torch.full_like(ics, 0.2))
    z = sae.standardize(values)
    first_layer = z @ sae.slope + sae.bias.sum(0)  # W1 z + b1 of a fully connected layer
    expected = sae.out(torch.nn.functional.leaky_relu(first_layer, 0.2))
    torch.testing.assert_close(vector, expected)


def _term_by_term(sae, values):
    """The module docstring's formulas applied literally: project every feature to [n, N, d], score
    it, softmax over the varying features, pool with the mode's weight."""
    projected = sae.project(values)
    per_head = sae.head_importance(projected)  # [n, N, K]
    if sae.mode == "quantile":
        varying = float((~sae.constant).sum().clamp(min=1))
        gate = varying ** 0.5 if sae.feature_norm else varying
        pooled = torch.einsum("nfk,nfd->nkd", per_head * gate, projected).reshape(len(values), -1)
        return sae.out(torch.nn.functional.leaky_relu(pooled, 0.2)), per_head.mean(-1)
    pooled = torch.einsum("nfk,nfd->nkd", per_head, projected)
    vector = pooled[:, 0] if sae.merge is None else sae.merge(pooled.reshape(len(values), -1))
    return vector, per_head.mean(-1)


@given(seed=st.integers(0, 1000), n_features=st.integers(1, 25), heads=st.integers(1, 4),
       variant=st.sampled_from(["quantile", "quantile-normed", "gaussian"]))
def test_forward_equals_the_term_by_term_formulas_and_gradients(seed, n_features, heads, variant):
    torch.manual_seed(seed)
    train = torch.randn(40, n_features) * torch.logspace(-3, 3, n_features)
    train[:, 0] = 2.0  # constant in training: masked
    mode = variant.split("-")[0]
    sae = SelfAdaptableEncoding(n_features, 8, mode=mode, num_basis=5, heads=heads,
                                feature_norm=variant.endswith("normed"))
    sae.fit_ranges(train)
    with torch.no_grad():  # non-trivial biases, slopes and sharpness
        for parameter in sae.parameters():
            parameter.add_(0.3 * torch.randn_like(parameter))
    # repeated rows (encoded once, then copied), a far outlier and missing values
    probe = torch.cat([train[:6] * 1.3, train[:3] * 1.3, torch.full((1, n_features), 1e7),
                       torch.full((2, n_features), float("nan"))])
    grads = []
    for compute in (sae, lambda v: _term_by_term(sae, v)):
        sae.zero_grad()
        vector, ics = compute(probe)
        (vector.sin().sum() + (ics * torch.arange(n_features)).sum()).backward()
        grads.append((vector, ics, [p.grad.clone() for p in sae.parameters() if p.grad is not None]))
    (fast, fast_ics, fast_grads), (reference, reference_ics, reference_grads) = grads
    torch.testing.assert_close(fast, reference, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(fast_ics, reference_ics, rtol=1e-5, atol=1e-6)
    assert_importance_simplex(fast_ics)
    assert len(fast_grads) == len(reference_grads)
    for got, expected in zip(fast_grads, reference_grads):
        torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-4 * max(1.0, expected.abs().max().item()))
