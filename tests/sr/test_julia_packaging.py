"""The Julia dependencies are declared consistently: the root Project.toml (Julia side, tests) and
python/sagatsr/juliapkg.json (what juliacall's juliapkg installs), plus the .ci rig script."""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "Project.toml").read_text())
JULIAPKG = json.loads((ROOT / "python" / "sagatsr" / "juliapkg.json").read_text())


def test_project_and_juliapkg_name_the_same_packages_and_uuids():
    declared = {name: spec["uuid"] for name, spec in JULIAPKG["packages"].items()}
    assert declared == PROJECT["deps"]
    assert JULIAPKG["packages"]["SymbolicRegression"]["version"] == PROJECT["compat"]["SymbolicRegression"]


def test_julia_test_dependencies_are_declared():
    assert PROJECT["extras"]["Test"] == "8dfed614-e22c-5e08-85e1-65c5234f0b40"
    assert PROJECT["targets"]["test"] == ["Test"]


@pytest.mark.parametrize(("version", "allowed"), [("1.10.8", True), ("1.11.5", True), ("1.12.1", True),
                                                  ("1.9.4", False), ("2.0.0", False)])
def test_juliapkg_julia_range(version, allowed):
    # juliapkg itself narrows the range further where the Python's OpenSSL is too old for a Julia
    # (juliacall's own juliapkg.json pins OpenSSL_jll "<=python"), so 1.12 is not excluded here
    from juliapkg.compat import Compat, Version

    assert (Version.parse(version) in Compat.parse(JULIAPKG["julia"])) is allowed


def test_ci_rig_script_says_why_when_there_is_no_rig(tmp_path):
    done = subprocess.run(["bash", "-c", f". {ROOT / '.ci' / 'setup-julia.sh'}"], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "SAGATSR_JULIA_RIG": str(tmp_path / "absent")},
                          timeout=60)
    assert done.returncode == 0
    assert done.stdout.strip().splitlines() == [f"julia rig: {tmp_path / 'absent'} not found; "
                                                "the tests marked julia will skip"]


RIG = ROOT.parent / "shared" / "julia-rig"


@pytest.mark.julia
@pytest.mark.skipif(not (RIG / "install.sh").exists() or not Path("/opt/sagatsr-julia/env.sh").exists(),
                    reason=f"no Julia rig installed from {RIG}")
def test_ci_rig_script_activates_an_installed_rig_and_pins_juliacall(tmp_path):
    script = (f". {ROOT / '.ci' / 'setup-julia.sh'} && echo \"EXE=$PYTHON_JULIACALL_EXE\" && "
              "cat \"$PIP_CONSTRAINT\"")
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "SAGATSR_JULIA_RIG": str(RIG), "TMPDIR": str(tmp_path),
                               "SAGATSR_JULIA_HOME": "/opt/sagatsr-julia"})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0] == "julia rig: already installed in /opt/sagatsr-julia"
    assert lines[-2] == "EXE=/opt/sagatsr-julia/julia/bin/julia"
    manifest = tomllib.loads(Path("/opt/sagatsr-julia/env/Manifest.toml").read_text())
    assert lines[-1] == f"juliacall=={manifest['deps']['PythonCall'][0]['version']}"


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    quick_start = readme[readme.index("## Quick start"):readme.index("\n## ", readme.index("## Quick start") + 5)]
    blocks = [b.split("```", 1)[0].strip() for b in quick_start.split("```bash\n")[1:]]
    test_command = next(b for b in blocks if "pytest" in b)
    ci = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    assert ci[-1] == test_command
    assert ". .ci/setup-julia.sh" in ci  # the rig (when present) is set up before it
