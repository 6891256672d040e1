# sagatsr's Julia backend: physics-aware operators and one entry point that drives
# SymbolicRegression.jl (v1.13 line) with dimensional constraints, returning plain data.
#
# Python `include`s this file into `Main` and calls `SAGATSR.run_search(...)`. The operators live in
# `Main.SAGATSR`, so :multiprocessing workers need this module too: `run_search` starts them with
# `addprocs_with_sagatsr`, which includes this file on each worker. One file per concern:
#   operators.jl  the custom operators, their unit rules, the name -> function table
#   search.jl     Options + equation_search + the Pareto front as NamedTuples
module SAGATSR

using SymbolicRegression
using DynamicQuantities
using Distributed: addprocs, remotecall_eval
import SymbolicRegression: safe_log

export run_search, absdiff, harmonic, logistic, BINARY_OPERATORS, UNARY_OPERATORS

include("operators.jl")
include("search.jl")

end # module SAGATSR
