"""The ``sagatsr`` command line (typer). One module per command group registers its commands;
options shared by several commands live in :mod:`sagatsr.cli.options`.

Imports of torch, pymatgen or juliacall happen inside the commands, never here, so ``--help`` is
instant. Every user error — a bad option value (typer's own checks included), a
:class:`~sagatsr.errors.SagatsrError` — becomes one line on stderr and exit code 2 (no traceback,
no usage box), and Ctrl-C says how to resume.
"""

from __future__ import annotations

import functools
import sys

import typer
from typer.core import TyperGroup

from sagatsr.errors import SagatsrError

try:  # typer ≥ 0.20 vendors click
    from typer._click import exceptions as _click_errors
except ImportError:  # pragma: no cover - older typer
    from click import exceptions as _click_errors


class _OneLineErrors(TyperGroup):
    """Prints a usage error (unknown choice, value out of range, missing option) as one line."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        global _ARGS
        _ARGS = list(sys.argv[1:] if args is None else args)  # for the resume hint after Ctrl-C
        try:
            code = super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                                standalone_mode=False, **extra)
        except _click_errors.NoArgsIsHelpError as exc:
            typer.echo(exc.format_message())
            code = 0
        except _click_errors.UsageError as exc:
            where = f"{exc.ctx.command_path}: " if getattr(exc, "ctx", None) is not None else ""
            message = " ".join(exc.format_message().split())
            if "extra argument" in message and any(w in message.lower() for w in ("(true)", "(false)", "(yes)", "(no)")):
                message += "; on/off flags take no value: write --strict or --no-strict"
            typer.echo(f"error: {where}{message} (see --help)", err=True)
            code = 2
        except typer.Abort:
            typer.echo("aborted", err=True)
            code = 1
        if standalone_mode:
            sys.exit(code if isinstance(code, int) else 0)
        return code


#: the arguments of the running command (``sagatsr`` + these resumes it)
_ARGS: list[str] = []

app = typer.Typer(
    name="sagatsr",
    cls=_OneLineErrors,
    help="Interpretable formulas for material properties: SA-GAT training + symbolic regression.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _show_version(value: bool) -> None:
    if value:
        from sagatsr import __version__

        typer.echo(f"sagatsr {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_show_version, is_eager=True,
                                        help="Print the version and exit.")) -> None:
    """Interpretable formulas for material properties: SA-GAT training + symbolic regression."""


def _friendly(command):
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except SagatsrError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt as exc:
            import shlex

            kept = str(exc) or "finished steps and checkpoints are kept"
            typer.echo(f"interrupted: {kept}; resume with: {shlex.join(['sagatsr', *_ARGS])}", err=True)
            raise typer.Exit(130) from None
        except OSError as exc:  # a filesystem error no check caught: one line naming the path
            path = f" {exc.filename}" if exc.filename else ""
            typer.echo(f"error: cannot access{path}: {exc.strerror or exc}", err=True)
            raise typer.Exit(2) from None

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
