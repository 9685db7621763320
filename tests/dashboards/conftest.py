"""Fixtures of the dashboard tests."""

import pytest

from dashboards import serving


@pytest.fixture(scope="module")
def con(built_home):
    """A read-only connection to the serving file of built_home (a module may define its own)."""
    paths, _ = built_home
    with serving.connect(paths.serving) as connection:
        yield connection
