# Sourced by .ci/run before the README test command. Where ../shared/julia-rig exists (a Julia 1.10.8
# + SymbolicRegression.jl 1.13.2 + PythonCall 0.9.34 rig, see its README), install it once per
# machine, source its env.sh (juliacall then uses that Julia and environment, offline), and make pip
# pick the juliacall that matches the rig's PythonCall through PIP_CONSTRAINT. Elsewhere print one
# line: the Julia tests then skip with their reason. Never fails CI by itself.
_rig_src="${SAGATSR_JULIA_RIG:-../shared/julia-rig}"
_rig_prefix="${SAGATSR_JULIA_HOME:-/opt/sagatsr-julia}"
_rig_log="${TMPDIR:-/tmp}/sagatsr-julia-rig-install.log"

_rig_installed() {  # the archive in ../shared is the one already extracted in the prefix
  [ -f "$_rig_prefix/env.sh" ] && [ -x "$_rig_prefix/julia/bin/julia" ] &&
    [ "$(cat "$_rig_prefix/.sagatsr-julia-rig.sha256" 2>/dev/null)" = \
      "$(sha256sum "$_rig_src/sagatsr-julia-rig.tar.zst" | cut -d' ' -f1)" ]
}

_rig_setup() {
  if [ ! -f "$_rig_src/install.sh" ]; then
    echo "julia rig: $_rig_src not found; the tests marked julia will skip"
    return 0
  fi
  if _rig_installed; then
    echo "julia rig: already installed in $_rig_prefix"
  else
    echo "julia rig: installing $_rig_src into $_rig_prefix (first time: a few minutes of precompiling; log: $_rig_log)"
    if ! bash "$_rig_src/install.sh" "$_rig_prefix" >"$_rig_log" 2>&1; then
      echo "julia rig: install failed (see $_rig_log, last line: $(tail -n 1 "$_rig_log")); the tests marked julia will skip"
      return 0
    fi
  fi
  # the install stamp is written before the rig's smoke test, and a Julia built for another CPU
  # installs but cannot start: say so here (the tests then skip with Julia's own words)
  local started
  if ! started=$("$_rig_prefix/julia/bin/julia" --startup-file=no -e nothing 2>&1); then
    echo "julia rig: installed in $_rig_prefix but Julia cannot start on this machine (${started//$'\n'/ }); the tests marked julia will skip"
  fi
  . "$_rig_prefix/env.sh"
  # juliacall must be exactly the version of the PythonCall.jl in the Julia environment
  local pythoncall
  pythoncall=$(python3 - "$PYTHON_JULIACALL_PROJECT/Manifest.toml" <<'PY'
import sys, tomllib
manifest = tomllib.load(open(sys.argv[1], "rb"))
print(manifest["deps"]["PythonCall"][0]["version"])
PY
) || { echo "julia rig: no PythonCall in $PYTHON_JULIACALL_PROJECT/Manifest.toml; juliacall left unpinned"; return 0; }
  local constraint="${TMPDIR:-/tmp}/sagatsr-juliacall-constraint.txt"
  echo "juliacall==$pythoncall" >"$constraint"
  export PIP_CONSTRAINT="$constraint"
  echo "julia rig: $("$PYTHON_JULIACALL_EXE" --version) in $_rig_prefix; pip constrained to juliacall==$pythoncall (the rig's PythonCall)"
}

_rig_setup
