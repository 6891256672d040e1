"""CLI commands: featurize (placeholder until its issue lands)."""

from __future__ import annotations


def register(app) -> None:
    """Add this module's commands to the typer app."""
