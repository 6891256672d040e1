"""Feature catalogue: counts, unique names, units that parse and map to DynamicQuantities."""

import pytest

from sagatsr.features import Feature, FeatureSpace
from sagatsr.units import parse_unit, to_dynamicquantities


def test_counts_and_unique_names():
    space = FeatureSpace.default()
    assert len(space.site_features) >= 30
    assert len(space.crystal_features) >= 180
    names = space.site_names + space.crystal_names
    assert len(names) == len(set(space.site_names)) + len(set(space.crystal_names))
    assert len(set(space.crystal_names)) == len(space.crystal_names)
    assert space.crystal_units == [f.unit for f in space.crystal_features]
    assert all(isinstance(f, Feature) and f.kind == "crystal" for f in space.crystal_features)
    assert all(f.kind == "site" for f in space.site_features)


@pytest.mark.parametrize("feature", FeatureSpace.default().site_features + FeatureSpace.default().crystal_features,
                         ids=lambda f: f"{f.kind}:{f.name}")
def test_unit_parses_and_maps(feature):
    parse_unit(feature.unit)
    assert to_dynamicquantities(feature.unit)
    assert feature.symbol and feature.description


def test_statistics_keep_property_unit():
    space = FeatureSpace.default()
    for site in space.site_features:
        for stat in ("mean", "std", "min", "max", "range"):
            assert space.feature(f"{site.name}_{stat}").unit == site.unit
        assert space.feature(f"frac_imputed_{site.name}").unit == "dimensionless"
