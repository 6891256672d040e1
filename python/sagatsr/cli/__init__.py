"""The ``sagatsr`` command line (typer). One module per command group registers its commands.

Imports of torch, pymatgen or juliacall happen inside the commands, never here, so ``--help`` is
instant. Every command is wrapped so that a :class:`~sagatsr.errors.SagatsrError` becomes one line
on stderr and exit code 2 (no traceback), and Ctrl-C says how to resume.
"""

from __future__ import annotations

import functools

import typer

from sagatsr.errors import SagatsrError

app = typer.Typer(
    name="sagatsr",
    help="Interpretable formulas for material properties: SA-GAT training + symbolic regression.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _friendly(command):
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except SagatsrError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            typer.echo("interrupted: finished steps and checkpoints are kept; rerun the same command "
                       "to resume", err=True)
            raise typer.Exit(130) from None

    return wrapper


def _register_all() -> None:
    from sagatsr.cli import doctor, featurize, model, pipeline, sr

    for module in (featurize, model, sr, pipeline, doctor):
        module.register(app)
    for info in app.registered_commands:
        info.callback = _friendly(info.callback)


_register_all()


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    app(args=argv)


if __name__ == "__main__":
    main()
