"""The tiny deterministic training set-up shared by the reliability tests and the training job they
run in a separate process (``tests/reliability/train_driver.py``); re-exported by ``helpers``.

Both must train the very same model on the very same graphs: the fault-injection tests compare a
killed-and-resumed job with an uninterrupted one, so one definition serves both.
"""

from __future__ import annotations

import signal

__all__ = ["TINY_TRAINING", "tiny_config", "tiny_split", "interruptible_child"]

#: a model small enough for a test, deterministic so that a resumed run repeats an uninterrupted one
TINY_TRAINING = dict(hidden=16, edge_hidden=8, layers=2, heads=2, site_bins=20, crystal_bins=20, batch_size=8,
                     num_threads=1, progress=False, warmup_epochs=1, deterministic=True, dropout=0.2)


def tiny_config(epochs: int, seed: int = 4, **overrides):
    """The :class:`~sagatsr.training.TrainConfig` of the tiny set-up (torch loads on first call)."""
    from sagatsr.training import TrainConfig

    return TrainConfig(epochs=epochs, seed=seed, **{**TINY_TRAINING, **overrides})


def tiny_split(count: int = 40, seed: int = 21, n_train: int = 32) -> tuple[list, list]:
    """(training graphs, validation graphs): ``count`` synthetic graphs, the first ``n_train`` to train."""
    from helpers import synthetic_graphs  # here, not at the top: helpers imports this module

    graphs = synthetic_graphs(count, seed=seed)
    return graphs[:n_train], graphs[n_train:]


def interruptible_child() -> None:
    """``preexec_fn`` of a child process that a test interrupts with SIGINT (Ctrl-C): a background
    job of a non-interactive shell (``cmd &``) starts with SIGINT ignored, its children inherit that,
    and the child would then ignore the test's Ctrl-C. The child gets the default disposition."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
