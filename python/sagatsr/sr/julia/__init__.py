"""Julia backend: SymbolicRegression.jl driven through juliacall in a child process.

``julia_status()`` says whether it can start (and why not); ``run_julia_search`` runs a search.
"""

from sagatsr.sr.julia.bridge import prepare_inputs, run_julia_search
from sagatsr.sr.julia.hall_of_fame import find_hall_of_fame, read_hall_of_fame
from sagatsr.sr.julia.paths import julia_module_file, julia_source_dir
from sagatsr.sr.julia.probe import HOW_TO_ENABLE, JuliaStatus, julia_status

__all__ = ["julia_status", "JuliaStatus", "run_julia_search", "prepare_inputs", "read_hall_of_fame",
           "find_hall_of_fame", "julia_source_dir", "julia_module_file", "HOW_TO_ENABLE"]
