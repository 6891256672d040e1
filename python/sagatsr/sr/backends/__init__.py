"""Registry of symbolic-regression backends.

Each backend is one module ``sagatsr.sr.backends.<name>`` with a :class:`~.base.Backend` subclass,
listed in ``_REGISTRY`` (name -> ``"module:Class"``). Modules are imported only when a backend is
asked for, so listing the backends imports neither juliacall nor torch. Adding a backend = one new
file plus one entry here (or a call to :func:`register` from outside the package).
``AUTO_ORDER`` is the order in which ``backend="auto"`` tries them: the first available wins.
The contract classes (:mod:`.base`, which needs numpy and sympy) load on first use, so the CLI can
list the backends (:class:`sagatsr.pipeline.config.SRBackend`) without them.
"""

from __future__ import annotations

from importlib import import_module

from sagatsr.errors import InputError

#: contract names re-exported from :mod:`.base`, loaded on first use
_CONTRACT = ("Backend", "BackendFit", "BackendStatus", "SearchProblem")

__all__ = ["Backend", "BackendFit", "BackendStatus", "SearchProblem", "register", "get_backend",
           "backend_names", "AUTO_ORDER"]

_REGISTRY: dict[str, str] = {
    "julia": "sagatsr.sr.backends.julia:JuliaBackend",
    "sisso": "sagatsr.sr.backends.sisso:SissoBackend",
}
AUTO_ORDER: tuple[str, ...] = ("julia", "sisso")


def register(name: str, target: str) -> None:
    """Make ``"module:Class"`` available as backend ``name`` (replaces an existing entry)."""
    if name == "auto":  # the word for "the first of AUTO_ORDER that starts", in every front end
        raise InputError("'auto' is reserved and cannot name a backend")
    if ":" not in target:
        raise InputError(f"backend target must be 'module:Class', got {target!r}")
    _REGISTRY[name] = target


def __getattr__(name: str):
    if name in _CONTRACT:
        return getattr(import_module("sagatsr.sr.backends.base"), name)
    raise AttributeError(f"module 'sagatsr.sr.backends' has no attribute {name!r}")


def backend_names() -> tuple[str, ...]:
    """The registered backends, in registration order (``"auto"`` is not one of them)."""
    return tuple(_REGISTRY)


def get_backend(name: str) -> Backend:
    """A fresh instance of the backend registered as ``name``."""
    if name not in _REGISTRY:
        raise InputError(f"unknown backend {name!r}; choose one of {('auto', *_REGISTRY)}")
    from sagatsr.sr.backends.base import Backend

    module_name, class_name = _REGISTRY[name].split(":")
    backend = getattr(import_module(module_name), class_name)()
    if not isinstance(backend, Backend):
        raise InputError(f"{_REGISTRY[name]} is not a sagatsr.sr.backends.Backend")
    return backend
