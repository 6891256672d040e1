# One entry point, plain data in and out: Python (juliacall) passes arrays, strings, numbers and
# lists; it gets back a Vector of NamedTuples of strings, integers, floats and Bools.

as_strings(xs) = String[string(x) for x in xs]

# Operator-keyed options (complexity_of_operators, constraints, nested_constraints) come as a Dict
# from Julia, or from Python (worker.py) as a tuple of (name, value) tuples: a Python dict would
# arrive as a PyDict of Python objects, which `Int` cannot convert.
# The value type V is explicit: Options turns complexity_of_operators into a Dict and reads its
# value type, which must be a Real (Int), not Any.
entries(d::AbstractDict) = [k => v for (k, v) in pairs(d)]
entries(d) = [first(e) => last(e) for e in d]
function operator_pairs(d, ::Type{V}, convert_value) where {V}
    d === nothing && return nothing
    isempty(d) && return nothing
    return Pair{Function,V}[operator(string(k)) => convert_value(v) for (k, v) in entries(d)]
end
constraint_value(v::Real) = Int(v)
constraint_value(v) = (Int(v[1]), Int(v[2]))
nested_value(v) = Pair{Function,Int}[operator(string(k)) => Int(n) for (k, n) in entries(v)]

const MODULE_FILE = joinpath(@__DIR__, "SAGATSR.jl")

"""
    module_source()

The whole module as one piece of source text: SAGATSR.jl with its `include("…")` lines replaced by
the included files. Workers evaluate this text instead of including a path, so a worker on another
machine (a cluster node without the head node's filesystem) gets the same operators.
"""
function module_source()
    text = read(MODULE_FILE, String)
    for part in ("operators.jl", "search.jl")
        text = replace(text, "include(\"$(part)\")" => read(joinpath(@__DIR__, part), String))
    end
    return text
end

"""
    addprocs_with_sagatsr(n; kws...)

`addprocs` for SymbolicRegression.jl's `addprocs_function`: starts `n` workers and defines this
module in each worker's `Main` from its source text (`module_source`, shipped over the worker
connection: no shared filesystem needed), so the operators (functions of `Main.SAGATSR`) and their
unit rules exist there too. The workers need SymbolicRegression and DynamicQuantities in their own
Julia environment (the same project: SymbolicRegression.jl starts them with `--project`).
"""
function addprocs_with_sagatsr(n::Integer; launch=addprocs, kws...)
    procs = launch(n; kws...)
    source = module_source()
    remotecall_eval(Main, procs, :(include_string(Main, $source, $MODULE_FILE)))
    return procs
end

"""
    cluster_launcher(name)

ClusterManagers.jl's `addprocs_<name>` (e.g. "slurm", "pbs", "sge", "lsf") as a launcher for
`addprocs_with_sagatsr`. ClusterManagers is deliberately not a dependency (most users never need
it): add it to the Julia environment on the cluster. SymbolicRegression.jl calls the launcher with
`lazy` and `exeflags`, which ClusterManagers passes on to `addprocs`.
"""
function cluster_launcher(name::AbstractString)
    managers = Base.require(Main, :ClusterManagers)
    launch = getproperty(managers, Symbol("addprocs_", name))
    return (n; kws...) -> Base.invokelatest(launch, n; kws...)
end

workers_function(::Nothing) = addprocs_with_sagatsr
function workers_function(name)
    launch = cluster_launcher(string(name))
    return (n; kws...) -> addprocs_with_sagatsr(n; launch=launch, kws...)
end

"""
    default_dimensional_penalty(y)

A penalty that a dimensionally wrong formula can never beat: far above any loss a sensible formula
reaches on `y` (1000 × the variance of y, and at least 1000).
"""
default_dimensional_penalty(y) = max(1000.0, 1000.0 * Float64(sum(abs2, y .- sum(y) / length(y)) / length(y)))

"""
    run_search(X, y; variable_names, X_units, y_units, binary_operators, unary_operators, kws...)

Run SymbolicRegression.equation_search on `X` (features × rows) and `y` and return the Pareto
front as a Vector of NamedTuples `(expression, complexity, loss, dimensionally_consistent)`.
Units are DynamicQuantities strings of plain SI dimensions ("m^2*kg*s^-2", "m", "1"); `nothing`
switches the dimensional analysis off. `deterministic = true` forces `parallelism = "serial"` (as SymbolicRegression.jl requires).
`numprocs` is used only with `parallelism = "multiprocessing"`; those workers are started by
`addprocs_with_sagatsr`, locally or, with `cluster_manager = "slurm"` (or another ClusterManagers
name), as cluster jobs. `early_stop_loss` stops the search as soon as a formula's loss is below it
(SymbolicRegression.jl's `early_stop_condition`); `timeout_in_seconds` stops it after that long.
"""
function run_search(
    X::AbstractMatrix,
    y::AbstractVector;
    variable_names,
    X_units=nothing,
    y_units=nothing,
    binary_operators=["+", "-", "*", "/"],
    unary_operators=String[],
    maxsize::Integer=20,
    maxdepth=nothing,
    populations::Integer=15,
    population_size::Integer=33,
    niterations::Integer=40,
    ncycles_per_iteration::Integer=550,
    parsimony::Real=0.0,
    complexity_of_operators=nothing,
    constraints=nothing,
    nested_constraints=nothing,
    dimensional_constraint_penalty=nothing,
    dimensionless_constants_only::Bool=false,
    seed=nothing,
    deterministic::Bool=false,
    timeout_in_seconds=nothing,
    early_stop_loss=nothing,
    parallelism::AbstractString="multithreading",
    numprocs=nothing,
    cluster_manager=nothing,
    output_directory=nothing,
    run_id=nothing,
)
    Xf = Matrix{Float64}(X)
    yf = Vector{Float64}(y)
    names = as_strings(variable_names)
    size(Xf, 1) == length(names) || error("X must be features × rows: $(size(Xf, 1)) rows of X for $(length(names)) variable names")
    size(Xf, 2) == length(yf) || error("X has $(size(Xf, 2)) columns (rows of data) but y has $(length(yf)) values")
    xu = X_units === nothing ? nothing : as_strings(X_units)
    yu = y_units === nothing ? nothing : string(y_units)
    mode = deterministic ? :serial : Symbol(parallelism)
    multiprocessing = mode === :multiprocessing
    penalty = dimensional_constraint_penalty === nothing ? default_dimensional_penalty(yf) : Float64(dimensional_constraint_penalty)
    options = SymbolicRegression.Options(;
        binary_operators=[operator(string(n)) for n in binary_operators],
        unary_operators=[operator(string(n)) for n in unary_operators],
        maxsize=Int(maxsize),
        maxdepth=maxdepth === nothing ? nothing : Int(maxdepth),
        populations=Int(populations),
        population_size=Int(population_size),
        ncycles_per_iteration=Int(ncycles_per_iteration),
        parsimony=Float64(parsimony),
        complexity_of_operators=operator_pairs(complexity_of_operators, Int, Int),
        constraints=operator_pairs(constraints, Any, constraint_value),
        nested_constraints=operator_pairs(nested_constraints, Any, nested_value),
        dimensional_constraint_penalty=penalty,
        dimensionless_constants_only=dimensionless_constants_only,
        seed=seed === nothing ? nothing : Int(seed),
        deterministic=deterministic,
        timeout_in_seconds=timeout_in_seconds === nothing ? nothing : Float64(timeout_in_seconds),
        early_stop_condition=early_stop_loss === nothing ? nothing : Float64(early_stop_loss),
        output_directory=output_directory === nothing ? nothing : string(output_directory),
        save_to_file=output_directory !== nothing,
        input_stream=devnull,
    )
    hof = SymbolicRegression.equation_search(
        Xf,
        yf;
        niterations=Int(niterations),
        options=options,
        variable_names=names,
        X_units=xu,
        y_units=yu,
        parallelism=mode,
        numprocs=(multiprocessing && numprocs !== nothing) ? Int(numprocs) : nothing,
        addprocs_function=multiprocessing ? workers_function(cluster_manager) : nothing,
        run_id=run_id === nothing ? nothing : string(run_id),
        verbosity=0,
        progress=false,
    )
    return pareto_front(hof, Xf, yf, names, xu, yu, options)
end

"""
    pareto_front(hof, X, y, names, X_units, y_units, options)

The hall of fame's Pareto front as plain NamedTuples, each with SymbolicRegression.jl's own
dimensional verdict on the final expression (always `true` when the dataset has no units; with
`y_units` alone, SymbolicRegression.jl treats the features as dimensionless).
"""
function pareto_front(hof, X, y, names, X_units, y_units, options)
    dataset = SymbolicRegression.Dataset(X, y; variable_names=names, X_units=X_units, y_units=y_units)
    front = SymbolicRegression.calculate_pareto_frontier(hof)
    return [
        (
            expression=SymbolicRegression.string_tree(member.tree, options; variable_names=names),
            complexity=Int(SymbolicRegression.compute_complexity(member, options)),
            loss=Float64(member.loss),
            dimensionally_consistent=!SymbolicRegression.DimensionalAnalysisModule.violates_dimensional_constraints(
                member.tree, dataset, options
            ),
        ) for member in front
    ]
end
