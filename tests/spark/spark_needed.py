"""What the Spark tests need: the `spark` extra and Java 17 (`make spark-deps`). Without them a
test is skipped, and fails in CI (CI=true), where `make test` installs them."""

from __future__ import annotations

import os
import shutil

import pytest

from ingest.settings import missing_packages


def require_spark() -> None:
    missing = missing_packages("spark") + ([] if shutil.which("java") else ["java"])
    if missing:
        message = f"the Spark engine needs {', '.join(missing)} (`make spark-deps`, Java 17)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
