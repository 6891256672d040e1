"""AI Feynman equations with SI units, for symbolic-regression benchmarks (importable, no I/O).

Each :class:`FeynmanTask` is one equation of the AI Feynman database (Udrescu & Tegmark 2020, the
"Feynman" set that SRBench 2021 uses) with 1–5 inputs: its id (``I.12.2`` = Feynman Lectures
vol. I, eq. 12.2), the ground truth as a SymPy-parsable string over the variable names, every
variable's SI unit (a pint string) and sampling range, and the target's unit. Ranges are the
published ones (uniform sampling); physical constants that the database samples as variables
(ε, G, k_B, ħ, c) are variables here too, with their units, so the data are the database's data.
Angles are dimensionless (radians). Written from the physics, not copied from any file.

Noise (SRBench protocol, :func:`add_noise`): ``y_noisy = y + N(0, (level · RMS(y))²)`` with
``RMS(y) = sqrt(mean(y²))``, levels 0, 0.001, 0.01, 0.1.

Use::

    from feynman_tasks import TASKS, sample, add_noise
    X, y = sample(TASKS[0], 500, rng)       # X columns in task.names order, y noise-free
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy

NOISE_LEVELS = (0.0, 0.001, 0.01, 0.1)

#: SRBench 2021 symbolic-solution rates on the Feynman set, noise-free (La Cava et al., NeurIPS
#: Datasets & Benchmarks 2021, Fig. 3), in per cent, for comparison tables.
SRBENCH_PUBLISHED_SOLUTION_RATE = {"AIFeynman": 86, "AFP_FE": 48, "GP-GOMEA": 41, "gplearn": 24}


@dataclass(frozen=True)
class FeynmanTask:
    """One equation: ``variables`` maps name -> (SI unit, low, high); ``formula`` uses those names."""

    id: str
    formula: str
    y_unit: str
    variables: dict

    @property
    def names(self) -> list[str]:
        return list(self.variables)

    @property
    def units(self) -> list[str]:
        return [v[0] for v in self.variables.values()]

    def expr(self) -> sympy.Expr:
        """The ground truth over real symbols (locals win over SymPy's own names such as ``beta``)."""
        symbols = {n: sympy.Symbol(n, real=True) for n in self.names}
        return sympy.sympify(self.formula, locals=symbols)

    def evaluate(self, X) -> np.ndarray:
        X = np.asarray(X, float)
        fn = sympy.lambdify([sympy.Symbol(n, real=True) for n in self.names], self.expr(), "numpy")
        return np.broadcast_to(np.asarray(fn(*X.T), float), (X.shape[0],)).copy()


def _t(id_, formula, y_unit, **variables):
    return FeynmanTask(id_, formula, y_unit, variables)


_C = "C"  # coulomb
_EPS = "F/m"
TASKS: list[FeynmanTask] = [
    _t("I.6.2a", "exp(-theta**2/2)/sqrt(2*pi)", "dimensionless", theta=("dimensionless", 1, 3)),
    _t("I.6.2", "exp(-(theta/sigma)**2/2)/(sqrt(2*pi)*sigma)", "dimensionless",
       sigma=("dimensionless", 1, 3), theta=("dimensionless", 1, 3)),
    _t("I.8.14", "sqrt((x2 - x1)**2 + (y2 - y1)**2)", "m",
       x1=("m", 1, 5), x2=("m", 1, 5), y1=("m", 1, 5), y2=("m", 1, 5)),
    _t("I.10.7", "m0/sqrt(1 - v**2/c**2)", "kg",
       m0=("kg", 1, 5), v=("m/s", 1, 2), c=("m/s", 3, 10)),
    _t("I.12.1", "mu*Nn", "N", mu=("dimensionless", 1, 5), Nn=("N", 1, 5)),
    _t("I.12.2", "q1*q2/(4*pi*eps*r**2)", "N",
       q1=(_C, 1, 5), q2=(_C, 1, 5), eps=(_EPS, 1, 5), r=("m", 1, 5)),
    _t("I.12.11", "q*(Ef + B*v*sin(theta))", "N",
       q=(_C, 1, 5), Ef=("V/m", 1, 5), B=("T", 1, 5), v=("m/s", 1, 5), theta=("dimensionless", 1, 5)),
    _t("I.13.4", "m*(v**2 + u**2 + w**2)/2", "J",
       m=("kg", 1, 5), v=("m/s", 1, 5), u=("m/s", 1, 5), w=("m/s", 1, 5)),
    _t("I.13.12", "G*m1*m2*(1/r2 - 1/r1)", "J",
       m1=("kg", 1, 5), m2=("kg", 1, 5), r1=("m", 1, 5), r2=("m", 1, 5), G=("m^3/(kg*s^2)", 1, 5)),
    _t("I.14.3", "m*g*z", "J", m=("kg", 1, 5), g=("m/s^2", 1, 5), z=("m", 1, 5)),
    _t("I.14.4", "k_spring*x**2/2", "J", k_spring=("N/m", 1, 5), x=("m", 1, 5)),
    _t("I.15.10", "m0*v/sqrt(1 - v**2/c**2)", "kg*m/s",
       m0=("kg", 1, 5), v=("m/s", 1, 2), c=("m/s", 3, 10)),
    _t("I.16.6", "(u + v)/(1 + u*v/c**2)", "m/s",
       c=("m/s", 1, 5), v=("m/s", 1, 5), u=("m/s", 1, 5)),
    _t("I.18.4", "(m1*r1 + m2*r2)/(m1 + m2)", "m",
       m1=("kg", 1, 5), m2=("kg", 1, 5), r1=("m", 1, 5), r2=("m", 1, 5)),
    _t("I.18.12", "r*F*sin(theta)", "N*m", r=("m", 1, 5), F=("N", 1, 5), theta=("dimensionless", 0, 5)),
    _t("I.24.6", "m*(omega**2 + omega_0**2)*x**2/4", "J",
       m=("kg", 1, 3), omega=("1/s", 1, 3), omega_0=("1/s", 1, 3), x=("m", 1, 3)),
    _t("I.27.6", "1/(1/d1 + n/d2)", "m", d1=("m", 1, 5), d2=("m", 1, 5), n=("dimensionless", 1, 5)),
    _t("I.29.16", "sqrt(x1**2 + x2**2 - 2*x1*x2*cos(theta1 - theta2))", "m",
       x1=("m", 1, 5), x2=("m", 1, 5), theta1=("dimensionless", 1, 5), theta2=("dimensionless", 1, 5)),
    _t("I.30.3", "Int_0*sin(n*theta/2)**2/sin(theta/2)**2", "W/m^2",
       Int_0=("W/m^2", 1, 5), theta=("dimensionless", 1, 5), n=("dimensionless", 1, 5)),
    _t("I.32.5", "q**2*a**2/(6*pi*eps*c**3)", "W",
       q=(_C, 1, 5), a=("m/s^2", 1, 5), eps=(_EPS, 1, 5), c=("m/s", 1, 5)),
    _t("I.34.8", "q*v*B/p", "1/s", q=(_C, 1, 5), v=("m/s", 1, 5), B=("T", 1, 5), p=("kg*m/s", 1, 5)),
    _t("I.34.1", "omega_0/(1 - v/c)", "1/s", c=("m/s", 3, 10), v=("m/s", 1, 2), omega_0=("1/s", 1, 5)),
    _t("I.37.4", "I1 + I2 + 2*sqrt(I1*I2)*cos(delta)", "W/m^2",
       I1=("W/m^2", 1, 5), I2=("W/m^2", 1, 5), delta=("dimensionless", 1, 5)),
    _t("I.39.11", "pr*V/(gam - 1)", "J", gam=("dimensionless", 2, 5), pr=("Pa", 1, 5), V=("m^3", 1, 5)),
    _t("I.39.22", "n*kb*T/V", "Pa",
       n=("dimensionless", 1, 5), T=("K", 1, 5), V=("m^3", 1, 5), kb=("J/K", 1, 5)),
    _t("I.43.31", "mob*kb*T", "m^2/s", mob=("s/kg", 1, 5), T=("K", 1, 5), kb=("J/K", 1, 5)),
    _t("I.44.4", "n*kb*T*log(V2/V1)", "J",
       n=("dimensionless", 1, 5), kb=("J/K", 1, 5), T=("K", 1, 5), V1=("m^3", 1, 5), V2=("m^3", 1, 5)),
    _t("I.47.23", "sqrt(gam*pr/rho)", "m/s",
       gam=("dimensionless", 1, 5), pr=("Pa", 1, 5), rho=("kg/m^3", 1, 5)),
    _t("I.48.2", "m*c**2/sqrt(1 - v**2/c**2)", "J", m=("kg", 1, 5), v=("m/s", 1, 2), c=("m/s", 3, 10)),
    _t("I.50.26", "x1*(cos(omega*t) + alpha*cos(omega*t)**2)", "m",
       x1=("m", 1, 3), omega=("1/s", 1, 3), t=("s", 1, 3), alpha=("dimensionless", 1, 3)),
    _t("II.2.42", "kappa*(T2 - T1)*A/d", "W",
       kappa=("W/(m*K)", 1, 5), T1=("K", 1, 5), T2=("K", 1, 5), A=("m^2", 1, 5), d=("m", 1, 5)),
    _t("II.6.11", "p_d*cos(theta)/(4*pi*eps*r**2)", "V",
       eps=(_EPS, 1, 3), p_d=("C*m", 1, 3), theta=("dimensionless", 1, 3), r=("m", 1, 3)),
    _t("II.11.3", "q*Ef/(m*(omega_0**2 - omega**2))", "m",
       q=(_C, 1, 3), Ef=("V/m", 1, 3), m=("kg", 1, 3), omega_0=("1/s", 3, 5), omega=("1/s", 1, 2)),
    _t("II.24.17", "sqrt(omega**2/c**2 - pi**2/d**2)", "1/m",
       omega=("1/s", 4, 6), c=("m/s", 1, 2), d=("m", 2, 5)),
    _t("II.34.2a", "q*v/(2*pi*r)", "A", q=(_C, 1, 5), v=("m/s", 1, 5), r=("m", 1, 5)),
    _t("II.38.14", "Y/(2*(1 + sigma))", "Pa", Y=("Pa", 1, 5), sigma=("dimensionless", 1, 5)),
    _t("III.4.33", "hbar*omega/(exp(hbar*omega/(kb*T)) - 1)", "J",
       hbar=("J*s", 1, 5), omega=("1/s", 1, 5), T=("K", 1, 5), kb=("J/K", 1, 5)),
    _t("III.17.37", "beta*(1 + alpha*cos(theta))", "dimensionless",
       beta=("dimensionless", 1, 5), alpha=("dimensionless", 1, 5), theta=("dimensionless", 1, 5)),
]

#: units distractor columns draw from (SI, mixed dimensions)
DISTRACTOR_UNITS = ("m", "kg", "s", "K", "A", "J", "Pa", "m/s", "C", "dimensionless", "mol", "N")


def sample(task: FeynmanTask, n: int, rng: np.random.Generator):
    """``(X (n, p) in task.names order, noise-free y)`` with each input uniform on its range."""
    X = np.column_stack([rng.uniform(lo, hi, n) for _, lo, hi in task.variables.values()])
    return X, task.evaluate(X)


def add_noise(y, level: float, rng: np.random.Generator) -> np.ndarray:
    """SRBench target noise: ``y + N(0, (level · sqrt(mean(y²)))²)``."""
    y = np.asarray(y, float)
    if level == 0:
        return y.copy()
    return y + rng.normal(0.0, level * np.sqrt(np.mean(y**2)), y.shape)


def with_distractors(task: FeynmanTask, X, rng: np.random.Generator, count: int = 2):
    """``(X with ``count`` extra uniform [1, 5] columns, names, units)``; the extras get random
    units from :data:`DISTRACTOR_UNITS` and names ``noise_0`` … (never a task variable name)."""
    extra = rng.uniform(1, 5, (X.shape[0], count))
    units = [str(u) for u in rng.choice(DISTRACTOR_UNITS, count)]
    names = [f"noise_{k}" for k in range(count)]
    return np.column_stack([X, extra]), task.names + names, task.units + units
