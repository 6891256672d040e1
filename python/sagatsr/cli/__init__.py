"""The ``sagatsr`` command line (typer). One module per command group registers its commands.

Imports of torch, pymatgen or juliacall happen inside the commands, never here, so ``--help`` is
instant. Any :class:`~sagatsr.errors.SagatsrError` becomes one line on stderr and exit code 2.
"""

from __future__ import annotations

import sys

import typer

from sagatsr.errors import SagatsrError

app = typer.Typer(
    name="sagatsr",
    help="Interpretable formulas for material properties: SA-GAT training + symbolic regression.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register_all() -> None:
    from sagatsr.cli import doctor, featurize, model, pipeline, sr

    for module in (featurize, model, sr, pipeline, doctor):
        module.register(app)


_register_all()


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script: usage errors are typer's; ours are one line, exit 2."""
    try:
        app(args=argv)
    except SagatsrError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("interrupted: partial results are kept; run the same command again to resume", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
