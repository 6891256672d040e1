"""The SR backend choices of ``run``/``sr`` come from the backend registry (plus ``auto``), and
reading them keeps the CLI light: no torch, juliacall, numpy or sympy at import."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sagatsr.errors import InputError
from sagatsr.pipeline.config import SRBackend, SRSettings, _backend_choices
from sagatsr.sr import backends


def _python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_members_are_auto_plus_the_registry():
    assert [m.value for m in SRBackend] == ["auto", *backends.backend_names()]
    assert SRBackend.auto == "auto" and SRSettings(backend="sisso").backend is SRBackend.sisso


def test_a_registered_backend_becomes_a_choice(monkeypatch):
    monkeypatch.setitem(backends._REGISTRY, "toy", "toy_module:ToyBackend")
    assert [m.value for m in _backend_choices()] == ["auto", *backends.backend_names()]
    assert "toy" in [m.value for m in _backend_choices()]


def test_auto_cannot_be_registered():
    with pytest.raises(InputError, match="reserved"):
        backends.register("auto", "toy_module:ToyBackend")


def test_backend_registered_before_the_cli_is_offered_by_run_and_sr():
    out = _python(
        "from sagatsr.sr.backends import register\n"
        "register('toy', 'toy_module:ToyBackend')\n"
        "from typer.testing import CliRunner\n"
        "from sagatsr.cli import app\n"
        "for command in ('run', 'sr'):\n"
        "    print(' '.join(CliRunner().invoke(app, [command, '--help'], env={'COLUMNS': '200'}).output.split()))\n")
    assert out.count("auto|julia|sisso|toy") == 2, out


def test_importing_the_cli_loads_no_heavy_package():
    out = _python("import sys\nimport sagatsr.cli\n"
                  "print(sorted(m for m in ('torch', 'juliacall', 'numpy', 'sympy') if m in sys.modules))")
    assert out.strip() == "[]"


def test_the_sr_layer_does_not_import_the_pipeline():
    out = _python("import sys\nimport sagatsr.sr.backends, sagatsr.sr.params\n"
                  "print(sorted(m for m in sys.modules if m.startswith('sagatsr.pipeline')))")
    assert out.strip() == "[]"
