"""SR-input selection: candidates (no missing-data flags, no extensive features for intensive
targets, no constants) and the IC ∪ SIS union that cannot lose a planted feature."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from helpers import assert_selection_finds, planted_law
from sagatsr.features import FeatureSpace
from sagatsr.screening.selection import is_missing_flag, select_sr_features, sr_candidates, target_is_intensive


@given(seed=st.integers(0, 10_000), k_ic=st.integers(1, 4), k_sis=st.integers(1, 4))
def test_ic_and_sis_union_contains_the_planted_feature(seed, k_ic, k_sis):
    X, y, names, planted = planted_law(seed)

    def select(X, y, names, ic_order):
        selection = select_sr_features(X, y, names, ic_order, k_ic=k_ic, k_sis=k_sis)
        assert len(selection.features) <= k_ic + k_sis
        assert selection.features[:k_ic] == ic_order[:k_ic]  # the IC picks come first, in IC order
        return selection.features

    chosen = assert_selection_finds(select, X, y, names, planted)
    assert all(chosen.count(n) == 1 for n in chosen)


def test_e_p_mode_screens_the_residual_the_network_leaves():
    X, y, names, planted = planted_law(3)
    other = (planted + 1) % len(names)
    y = y + 5.0 * X[:, other]
    e_p = 5.0 * X[:, other]  # the "network" already explains the other feature exactly
    selection = select_sr_features(X, y, names, names[::-1], k_ic=1, k_sis=1, e_p=e_p)
    assert names[planted] in selection.features
    assert any("residual" in reason for reason in selection.reasons[names[planted]])


def test_near_duplicates_do_not_take_a_slot():
    X, y, names, planted = planted_law(5)
    X = np.column_stack([X, 3.0 * X[:, planted] + 1.0])  # an exact linear copy of the planted one
    names = [*names, "copy"]
    selection = select_sr_features(X, y, names, [], k_ic=0, k_sis=2)
    assert len({names[planted], "copy"} & set(selection.features)) == 1
    assert len(selection.features) == 2


def test_candidates_drop_flags_extensive_and_constant_features():
    space = FeatureSpace.default()
    names = space.crystal_names
    intensive = {f.name: f.intensive for f in space.crystal_features}
    values = np.random.default_rng(0).normal(size=(10, len(names)))
    values[:, names.index("density")] = 1.0
    kept, excluded = sr_candidates(names, intensive, values, intensive_target=True)
    assert not any(is_missing_flag(n) for n in kept)
    assert {"cell_volume", "n_sites", "lattice_a"} <= set(excluded)
    assert excluded["density"].startswith("constant")
    assert "volume_per_atom" in kept and len(kept) + len(excluded) == len(names)
    kept_ext, excluded_ext = sr_candidates(names, intensive, None, intensive_target=False)
    assert "cell_volume" in kept_ext and all(is_missing_flag(n) for n in excluded_ext)


def test_per_cell_targets_are_extensive_the_rest_intensive():
    assert not target_is_intensive("eV/cell")
    assert all(target_is_intensive(u) for u in ("eV/atom", "GPa", "eV", "dimensionless", None))


@given(seed=st.integers(0, 10_000))
def test_a_planted_ratio_law_brings_both_of_its_features(seed):
    rng = np.random.default_rng(seed)
    X = rng.uniform(1.0, 5.0, size=(150, 10))
    i, j = rng.choice(10, size=2, replace=False)
    y = 2.0 + 3.0 * X[:, i] / X[:, j] + 0.01 * rng.normal(size=150)
    names = [f"x{k}" for k in range(10)]
    selection = select_sr_features(X, y, names, names, k_ic=1, k_sis=1, k_pairs=1)
    assert {names[i], names[j]} <= set(selection.features)
