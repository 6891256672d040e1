"""Registry of symbolic-regression backends.

Each backend is one module ``sagatsr.sr.backends.<name>`` with a :class:`~.base.Backend` subclass,
listed in ``_REGISTRY`` (name -> ``"module:Class"``). Modules are imported only when a backend is
asked for, so listing the backends imports neither juliacall nor torch. Adding a backend = one new
file plus one entry here (or a call to :func:`register` from outside the package).
``AUTO_ORDER`` is the order in which ``backend="auto"`` tries them: the first available wins.
"""

from __future__ import annotations

from importlib import import_module

from sagatsr.errors import InputError
from sagatsr.sr.backends.base import Backend, BackendFit, BackendStatus, SearchProblem

__all__ = ["Backend", "BackendFit", "BackendStatus", "SearchProblem", "register", "get_backend",
           "backend_names", "AUTO_ORDER"]

_REGISTRY: dict[str, str] = {
    "julia": "sagatsr.sr.backends.julia:JuliaBackend",
    "sisso": "sagatsr.sr.backends.sisso:SissoBackend",
}
AUTO_ORDER: tuple[str, ...] = ("julia", "sisso")


def register(name: str, target: str) -> None:
    """Make ``"module:Class"`` available as backend ``name`` (replaces an existing entry)."""
    if ":" not in target:
        raise InputError(f"backend target must be 'module:Class', got {target!r}")
    _REGISTRY[name] = target


def backend_names() -> tuple[str, ...]:
    return tuple(_REGISTRY)


def get_backend(name: str) -> Backend:
    """A fresh instance of the backend registered as ``name``."""
    if name not in _REGISTRY:
        raise InputError(f"unknown backend {name!r}; choose one of {('auto', *_REGISTRY)}")
    module_name, class_name = _REGISTRY[name].split(":")
    backend = getattr(import_module(module_name), class_name)()
    if not isinstance(backend, Backend):
        raise InputError(f"{_REGISTRY[name]} is not a sagatsr.sr.backends.Backend")
    return backend
