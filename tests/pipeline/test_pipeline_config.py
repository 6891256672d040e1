"""RunConfig: one nested settings object, checked when it is built (API users get the CLI's checks)."""

from __future__ import annotations

import pytest

from sagatsr.errors import InputError, UnitError
from sagatsr.pipeline.config import RunConfig, SRBackend, SRSettings, demo_config


@pytest.mark.parametrize("bad", [dict(top_k=0), dict(oof_folds=1), dict(oof_folds=-2), dict(limit=0),
                                 dict(threads=0), dict(val_fraction=0.0), dict(train=dict(epochs=0)),
                                 dict(train=dict(encoding="bogus")), dict(sr=dict(backend="pysr")),
                                 dict(sr=dict(maxsize=0)), dict(data="/no/such/file.csv")])
def test_every_bad_value_is_an_input_error(bad, tmp_path):
    values = {**dict(data="demo", target=None, out=tmp_path / "run"), **bad}
    with pytest.raises(InputError):
        RunConfig(**values)
    assert not (tmp_path / "run").exists()


def test_bad_unit_is_a_unit_error(tmp_path):
    with pytest.raises(UnitError):
        RunConfig(data="demo", target=None, out=tmp_path, target_unit="GPaa")


def test_nested_settings_have_one_home_and_round_trip(tmp_path):
    config = RunConfig.from_dict(dict(data="demo", target=None, out=tmp_path, epochs=3, seed=7, sr_backend="sisso",
                                      sr_niterations=5))
    assert config.train.epochs == 3 and config.seed == config.train.seed == 7
    assert config.sr == SRSettings(backend=SRBackend.sisso, niterations=5)
    flat = config.as_dict()
    assert "epochs" not in flat and "sr_backend" not in flat and flat["sr"]["backend"] == "sisso"
    again = RunConfig.from_dict(flat)
    assert again.as_dict() == flat
    with pytest.raises(InputError, match="unknown run settings"):
        RunConfig.from_dict(dict(data="demo", target=None, out=tmp_path, epoch=3))


def test_demo_config_names_its_unit():
    assert demo_config().target_unit == "GPa"
