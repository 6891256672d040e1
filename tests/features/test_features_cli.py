"""``sagatsr featurize`` on the demo data (needs sagatsr.data.load_dataset)."""

import pytest
import xarray as xr
from typer.testing import CliRunner

from sagatsr.cli import app


def _need_loader():
    data = pytest.importorskip("sagatsr.data")
    if not hasattr(data, "load_dataset"):
        pytest.skip("sagatsr.data.load_dataset not available yet")


def test_featurize_demo_writes_netcdf(tmp_path):
    _need_loader()
    out = tmp_path / "demo.nc"
    result = CliRunner().invoke(app, ["featurize", "--data", "demo", "--out", str(out), "--limit", "8"])
    assert result.exit_code == 0, result.output
    with xr.open_dataset(out) as ds:
        assert ds.sizes["material"] == 8
        assert ds["density"].attrs["units"] == "g/cm^3"


def test_featurize_missing_data_is_one_line_error(tmp_path):
    _need_loader()
    result = CliRunner().invoke(app, ["featurize", "--data", str(tmp_path / "nope"), "--out", str(tmp_path / "x.nc")])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_featurize_command_with_stub_loader(tmp_path, monkeypatch):
    """The command's own logic (targets stored with units, --limit passed on) against a stub loader."""
    import types

    import numpy as np

    from helpers import demo_structures

    calls = {}

    def load_dataset(source, target=None, *, limit=None, on_error="raise", target_unit=None, allow_outside=False):
        calls.update(source=source, target=target, limit=limit, on_error=on_error)
        structures, ids = demo_structures(limit=limit)
        return types.SimpleNamespace(structures=structures, ids=ids, targets=np.arange(len(ids), dtype=float),
                                     target_name=target, target_unit="GPa", skipped=[])

    stub = types.SimpleNamespace(load_dataset=load_dataset, load_structures=None, peek_target=None)
    monkeypatch.setitem(__import__("sys").modules, "sagatsr.data", stub)
    out = tmp_path / "stub.nc"
    args = ["featurize", "--data", "demo", "--out", str(out), "--limit", "4", "--target", "bulk_modulus", "--skip-bad"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert calls == {"source": "demo", "target": "bulk_modulus", "limit": 4, "on_error": "skip"}
    with xr.open_dataset(out) as ds:
        assert ds.sizes["material"] == 4
        assert ds["bulk_modulus"].attrs["units"] == "GPa" and ds["bulk_modulus"].attrs["role"] == "target"
        assert list(ds["bulk_modulus"].values) == [0.0, 1.0, 2.0, 3.0]
