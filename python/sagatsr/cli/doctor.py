"""CLI command: ``sagatsr doctor`` — versions, compute device, and whether the Julia backend can start."""

from __future__ import annotations

import typer


def doctor(julia_timeout: float = typer.Option(
        None, "--julia-timeout", show_default=False,
        help="Seconds to wait for Julia to start (default: $SAGATSR_JULIA_TIMEOUT, else 900). A first "
             "start installs and precompiles packages: give it 1800 once.")) -> None:
    """Print versions, the device training would use, and the Julia backend's status (and why)."""
    import importlib.metadata as md
    import platform

    from sagatsr.sr.julia import julia_module_file, julia_status
    from sagatsr.sr.julia.probe import start_timeout

    timeout = julia_timeout if julia_timeout is not None else start_timeout()
    # Julia is probed in a child process, so importing torch here afterwards is safe.
    status = julia_status(timeout)
    typer.echo(f"python        {platform.python_version()} ({platform.platform()})")
    for package in ("sagatsr", "torch", "torch-geometric", "lightning", "pymatgen", "juliacall"):
        try:
            typer.echo(f"{package:<13} {md.version(package)}")
        except md.PackageNotFoundError:
            typer.echo(f"{package:<13} not installed")
    import torch

    device = "cuda" if torch.cuda.is_available() else ("mps" if torch.backends.mps.is_available() else "cpu")
    typer.echo(f"device        {device} ({torch.get_num_threads()} CPU threads)")
    typer.echo(f"julia module  {julia_module_file()}")
    verdict = "available" if status.available else "NOT available (backend='auto' uses the embedded sisso engine)"
    typer.echo(f"julia backend {verdict}: {status.reason}")
    if status.seconds is not None:
        what = "julia start  " if status.available else "julia probe  "
        typer.echo(f"{what} {status.seconds:.1f} s (juliacall + `using SymbolicRegression`, "
                   f"timeout {timeout:g} s; SAGATSR_JULIA_TIMEOUT or --julia-timeout changes it)")


def register(app) -> None:
    app.command(name="doctor")(doctor)
