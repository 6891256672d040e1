# Tests of sagatsr's Julia backend. Run from the repository root, in any Julia environment that
# has SymbolicRegression (v1.13) and DynamicQuantities (Test and Distributed are standard libraries):
#     julia --project=. -e 'using Pkg; Pkg.instantiate()'    # once, with internet
#     julia --project=. -t 2 julia/test/runtests.jl
# or, on the offline rig (`. /opt/sagatsr-julia/env.sh` selects its environment):
#     julia -t 2 julia/test/runtests.jl
# pytest runs this file too (tests/sr/test_julia_runtests.py, marked `julia`).
using Test
using SymbolicRegression
using DynamicQuantities

include(joinpath(@__DIR__, "..", "SAGATSR.jl"))
using .SAGATSR

const DA = SymbolicRegression.DimensionalAnalysisModule

@testset "operators are safe on -100:100 and keep the input type" begin
    for T in (Float32, Float64)
        xs = T.(range(-100, 100; length=101))
        for (name, op) in SAGATSR.UNARY_OPERATORS
            f = SymbolicRegression.Options(; unary_operators=[op]).operators.unaops[1]
            for x in xs
                @test f(x) isa T
            end
        end
        for (name, op) in SAGATSR.BINARY_OPERATORS
            for x in xs, y in xs[1:10:end]
                @test op(x, y) isa T
            end
        end
    end
    @test absdiff(1.0, 3.5) == 2.5
    @test harmonic(2.0, 2.0) == 1.0
    @test logistic(0.0) == 0.5
    @test logistic(-100.0f0) isa Float32
end

# Units as Python sends them (sagatsr.units.to_dynamicquantities): plain SI dimensions, no scale.
const EV, ANGSTROM = "m^2*kg*s^-2", "m"

# The names a printed formula uses (word by word: "square(r)" uses r, not the r inside "square").
used_names(expression) = Set(m.match for m in eachmatch(r"[A-Za-z_][A-Za-z0-9_]*", expression))

# A dataset with a feature in eV, one in Å and a dimensionless one; target in eV.
function unit_dataset()
    X = rand(3, 20) .+ 0.5
    y = X[1, :] .* 2
    return SymbolicRegression.Dataset(X, y; X_units=[EV, ANGSTROM, "1"], y_units=EV)
end

@testset "dimensional checks" begin
    options = SymbolicRegression.Options(;
        binary_operators=[+, -, *, /, absdiff], unary_operators=[exp, cos, logistic, log]
    )
    # Trees are built from operator indices: SymbolicRegression.jl overloads only Base functions
    # on nodes, so `logistic(node)` or `absdiff(node, node)` would not build a tree.
    ops = options.operators
    un(f, a) = Node{Float64}(; op=findfirst(==(f), ops.unaops), l=a)
    bin(f, a, b) = Node{Float64}(; op=findfirst(==(f), ops.binops), l=a, r=b)
    x1 = Node{Float64}(; feature=1)   # eV
    x2 = Node{Float64}(; feature=2)   # Å
    x3 = Node{Float64}(; feature=3)   # dimensionless
    c = Node{Float64}(; val=2.0)
    data = unit_dataset()
    violates(tree) = DA.violates_dimensional_constraints(tree, data, options)
    @test !violates(bin(*, x1, un(exp, x3)))            # exp of a dimensionless feature: fine (our method)
    @test violates(bin(*, x1, un(exp, x2)))             # exp of Å: not fine
    @test !violates(bin(*, x1, un(logistic, x3)))
    @test violates(bin(*, x1, un(logistic, x1)))
    @test !violates(bin(*, x1, un(SymbolicRegression.safe_log, x3)))   # `log` is stored as safe_log
    @test violates(bin(*, x1, un(SymbolicRegression.safe_log, x2)))
    @test violates(bin(+, x1, x2))                      # eV + Å
    @test !violates(bin(absdiff, x1, bin(*, x1, x3)))   # same units
    @test violates(bin(absdiff, x1, x2))
    @test violates(x2)                                  # Å where eV is wanted
    @test !violates(bin(*, c, x2))                      # a free constant absorbs the unit (wildcard)
    @test !violates(bin(*, x1, un(exp, bin(*, c, x2)))) # exp(c*Å): the constant can make it dimensionless
    @test violates(bin(+, x1, un(exp, bin(*, c, x1))))  # ... but exp(c*x) is then dimensionless, not eV
    @test violates(bin(*, x1, un(cos, x2)))             # cos of Å
    # SymbolicRegression.jl v1.13 alone flags cos of a dimensionless feature too (no unit rule for
    # cos); our `Base.cos(::WildcardQuantity)` method accepts it, like exp.
    @test !violates(bin(*, x1, un(cos, x3)))
    @test !violates(bin(*, x1, un(cos, bin(*, c, x3))))
end

@testset "planted formula with units is recovered" begin
    n = 200
    X = vcat(rand(1, n) .* 3 .+ 1, rand(1, n) .* 2 .+ 1, rand(1, n))   # eV, Å, dimensionless
    y = 2 .* X[1, :] ./ X[2, :] .^ 2
    front = run_search(
        X, y;
        variable_names=["E", "r", "q"], X_units=[EV, ANGSTROM, "1"],
        y_units="kg*s^-2", binary_operators=["+", "-", "*", "/"],
        unary_operators=["square"], niterations=30, maxsize=12, seed=0, deterministic=true,
    )
    best = front[argmin([m.loss for m in front])]
    @test best.loss < 1e-8
    @test best.dimensionally_consistent
    @test issubset(["E", "r"], used_names(best.expression))
    @test !("q" in used_names(best.expression))
    @test used_names("square(q) * E") == Set(["square", "q", "E"])   # the check itself can fail
    @test all(m -> m.expression isa String && m.complexity isa Int, front)
end

@testset "seeded serial runs are reproducible" begin
    X = rand(2, 50)
    y = X[1, :] .+ 3 .* X[2, :]
    once() = run_search(X, y; variable_names=["a", "b"], niterations=5, seed=7, deterministic=true)
    first_run, second_run = once(), once()
    # the same formulas; losses equal up to floating-point summation order
    @test [m.expression for m in first_run] == [m.expression for m in second_run]
    @test all(isapprox(a.loss, b.loss; rtol=1e-8, atol=1e-14) for (a, b) in zip(first_run, second_run))
end

@testset "no units: no dimensional analysis; X units alone: any output unit" begin
    n = 60
    X = vcat(rand(1, n) .* 2 .+ 1, rand(1, n) .* 2 .+ 1)
    y = X[1, :] .* X[2, :]
    search(; kws...) = run_search(X, y; variable_names=["a", "b"], niterations=8, maxsize=7, seed=1,
                                  deterministic=true, kws...)
    plain = search()
    @test minimum(m.loss for m in plain) < 1e-10
    @test all(m.dimensionally_consistent for m in plain)
    # a*b with a in eV and b in Å is eV·Å: fine when y's unit is left free...
    free = search(; X_units=[EV, ANGSTROM])
    best = free[argmin([m.loss for m in free])]
    @test best.loss < 1e-10 && best.dimensionally_consistent
    # ...but with y in eV the same formula is a violation
    options = SymbolicRegression.Options(; binary_operators=[*])
    product = Node{Float64}(; op=1, l=Node{Float64}(; feature=1), r=Node{Float64}(; feature=2))
    no_y_unit = SymbolicRegression.Dataset(X, y; X_units=[EV, ANGSTROM])
    y_in_ev = SymbolicRegression.Dataset(X, y; X_units=[EV, ANGSTROM], y_units=EV)
    @test !DA.violates_dimensional_constraints(product, no_y_unit, options)
    @test DA.violates_dimensional_constraints(product, y_in_ev, options)
end

@testset "plain SI dimension strings survive high powers" begin
    # eV with its scale (1.6e-19 J) to the 9th power underflows Float64 to 0 in a check done on
    # values; dimension strings carry no scale, so cube(cube(x)) is checked on dimensions only.
    options = SymbolicRegression.Options(; binary_operators=[*, /], unary_operators=[cube])
    ops = options.operators
    x1 = Node{Float64}(; feature=1)
    cube_node(a) = Node{Float64}(; op=findfirst(==(cube), ops.unaops), l=a)
    X = rand(1, 10) .+ 0.5
    data = SymbolicRegression.Dataset(X, vec(X) .^ 9; X_units=[EV], y_units="m^18*kg^9*s^-18")
    @test !DA.violates_dimensional_constraints(cube_node(cube_node(x1)), data, options)
    wrong = SymbolicRegression.Dataset(X, vec(X) .^ 9; X_units=[EV], y_units=EV)
    @test DA.violates_dimensional_constraints(cube_node(cube_node(x1)), wrong, options)
end

@testset "the module ships to workers as source text" begin
    source = SAGATSR.module_source()
    @test !occursin(r"^include\(\"(operators|search)\.jl\"\)"m, source)   # every part is inlined
    @test occursin(r"^include\(\"operators\.jl\"\)"m, read(SAGATSR.MODULE_FILE, String))
    fresh = Module(:Fresh)
    Base.include_string(fresh, source, "SAGATSR.jl")
    @test fresh.SAGATSR.absdiff(1.0, 4.0) == 3.0
    @test sort(collect(keys(fresh.SAGATSR.UNARY_OPERATORS))) == sort(collect(keys(SAGATSR.UNARY_OPERATORS)))
end

if get(ENV, "SAGATSR_JULIA_TEST_WORKERS", "yes") == "yes"
    @testset "multiprocessing: 2 workers get the custom operators" begin
        X = rand(2, 60) .+ 0.5
        y = absdiff.(X[1, :], X[2, :]) .* 2
        front = run_search(X, y; variable_names=["a", "b"], binary_operators=["+", "*", "absdiff"],
                           niterations=6, maxsize=7, seed=3, parallelism="multiprocessing", numprocs=2)
        @test minimum(m.loss for m in front) < 1e-10
        @test any(occursin("absdiff", m.expression) for m in front)
    end
end
