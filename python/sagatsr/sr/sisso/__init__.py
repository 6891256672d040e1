"""The embedded, unit-checked SISSO engine (no Julia needed): see :mod:`.engine`."""

from sagatsr.sr.sisso.engine import fit_sisso

__all__ = ["fit_sisso"]
