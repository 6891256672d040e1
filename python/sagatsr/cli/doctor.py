"""CLI command: ``sagatsr doctor`` — versions, compute device, and whether the Julia backend can start."""

from __future__ import annotations

import typer


def doctor(julia_timeout: float = typer.Option(5.0, "--julia-timeout",
                                               help="Seconds to wait for Julia (a first start installs and "
                                                    "precompiles packages: give it 1800 once).")) -> None:
    """Print versions, the device training would use, and the Julia backend's status (and why)."""
    import importlib.metadata as md
    import platform

    from sagatsr.sr.julia import julia_module_file, julia_status

    # Julia is probed in a child process, so importing torch here afterwards is safe.
    status = julia_status(julia_timeout)
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


def register(app) -> None:
    app.command(name="doctor")(doctor)
