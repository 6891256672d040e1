# Physics-aware operators for SymbolicRegression.jl (v1.13 line).
#
# Rules every operator here follows, because SymbolicRegression.jl checks them at start-up
# (Configure.jl `test_operator`) on inputs from -100 to 100:
#   * a named function (anonymous ones are rejected);
#   * never throws: invalid input gives NaN or Inf of the input's type;
#   * returns the type of its input (Float32 in, Float32 out).
# Units: SymbolicRegression.jl checks dimensions by evaluating the tree on `WildcardQuantity`
# values (DimensionalAnalysis.jl). That type supports only + - * / ^ sqrt cbrt abs inv; a generic
# body built from those ops (absdiff, harmonic) carries units through by itself. exp, log and the
# logistic step need one more method on that type (below): without it any call on a feature,
# even a dimensionless one, counts as a violation unless its argument holds a free constant.

"""
    absdiff(x, y) = |x - y|

Unit rule: x and y must share a unit; the result has that unit.
Why: differences of like quantities (electronegativity difference, radius mismatch) are the
classic materials descriptors, and the absolute value makes them order-free.
sympy: `Abs(x - y)`.
"""
absdiff(x, y) = abs(x - y)

"""
    harmonic(x, y) = x * y / (x + y)

Unit rule: x and y must share a unit; the result has that unit (the harmonic combination of two
stiffnesses, conductances or radii — springs in series, reduced mass). Inf/NaN when x + y == 0.
sympy: `x*y/(x + y)`.
"""
harmonic(x, y) = x * y / (x + y)

"""
    logistic(x) = 1 / (1 + exp(-x))

Unit rule: x must be dimensionless; the result is dimensionless. A smooth step (0 to 1) for
threshold-like behaviour such as metal/insulator or stable/unstable (tolerance factor near 1).
sympy: `1/(1 + exp(-x))`.
"""
logistic(x::T) where {T<:Real} = one(T) / (one(T) + exp(-x))

const WildcardQuantity = SymbolicRegression.DimensionalAnalysisModule.WildcardQuantity

"""
    dimensionless_only(f, w)

The dimensional rule of a transcendental operator: its argument must be dimensionless, or hold a
free constant (a wildcard, which can absorb any unit); anything else is a violation. The result is
a plain dimensionless number, no longer a wildcard: exp(c*x) cannot take on a unit.
"""
function dimensionless_only(f::F, w::WildcardQuantity) where {F}
    w.violates && return w
    unit_one = one(typeof(w.val))
    if w.wildcard || iszero(DynamicQuantities.dimension(w.val))
        return typeof(w)(f(DynamicQuantities.ustrip(w.val)) * unit_one, false, false)
    end
    return typeof(w)(unit_one, false, true)
end

# `log` reaches the search as SymbolicRegression's `safe_log`. That name is only `using`-imported
# into SymbolicRegression, so it is extended through an explicit `import` (operators.jl is included
# after `import SymbolicRegression: safe_log` in SAGATSR.jl).
logistic(w::WildcardQuantity) = dimensionless_only(logistic, w)
Base.exp(w::WildcardQuantity) = dimensionless_only(exp, w)
Base.sin(w::WildcardQuantity) = dimensionless_only(sin, w)
Base.cos(w::WildcardQuantity) = dimensionless_only(cos, w)
safe_log(w::WildcardQuantity) = dimensionless_only(safe_log, w)

# Operator names as the Python catalog (sagatsr.sr.operators, `julia_name`) spells them.
# `sqrt` and `log` are mapped by SymbolicRegression.jl itself to its NaN-safe versions.
const BINARY_OPERATORS = Dict{String,Function}(
    "+" => +, "-" => -, "*" => *, "/" => /, "absdiff" => absdiff, "harmonic" => harmonic
)
const UNARY_OPERATORS = Dict{String,Function}(
    "inv" => inv,
    "square" => square,
    "cube" => cube,
    "sqrt" => sqrt,
    "cbrt" => cbrt,
    "abs" => abs,
    "exp" => exp,
    "log" => log,
    "logistic" => logistic,
    "sin" => sin,
    "cos" => cos,
)

"""
    operator(name)

The function for an operator name of the Python catalog; an error naming it otherwise.
"""
function operator(name::AbstractString)
    haskey(BINARY_OPERATORS, name) && return BINARY_OPERATORS[name]
    haskey(UNARY_OPERATORS, name) && return UNARY_OPERATORS[name]
    return error("unknown operator \"$(name)\"; known: $(sort(vcat(collect(keys(BINARY_OPERATORS)), collect(keys(UNARY_OPERATORS)))))")
end
