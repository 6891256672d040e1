# sagatsr's Julia backend: physics-aware operators and one entry point that drives
# SymbolicRegression.jl (v1.13 line) with dimensional constraints, returning plain data.
#
# Python `include`s this file into `Main` (SymbolicRegression.jl's :multiprocessing workers look
# operators up in Main), then calls `SAGATSR.run_search(...)`. One file per concern:
#   operators.jl  the custom operators, their unit rules, the name -> function table
#   search.jl     Options + equation_search + the Pareto front as NamedTuples
module SAGATSR

using SymbolicRegression
using DynamicQuantities

export run_search, absdiff, harmonic, logistic, BINARY_OPERATORS, UNARY_OPERATORS

include("operators.jl")
include("search.jl")

end # module SAGATSR
