"""Shared fixtures. Real data from ../shared/data is used when present and skipped otherwise."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("SAGATSR_SHARED_DATA", ROOT.parent / "shared" / "data"))

# Property tests run on 2 slow cores in CI: fewer examples, no deadline (timing is not tested), and
# derandomized so a CI verdict is reproducible. HYPOTHESIS_PROFILE=dev explores new random examples.
settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` (or ``$SAGATSR_SHARED_DATA``); skips the test when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real datasets not found at {SHARED_DATA} (set SAGATSR_SHARED_DATA)")
    return SHARED_DATA
