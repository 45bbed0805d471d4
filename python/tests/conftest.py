"""Shared fixtures: the qlab CLI binary and test data, from the environment CTest sets
(python/CMakeLists.txt), so Python results can be checked against the C++ side."""

import json
import os
import subprocess

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _env_path(name: str) -> str:
    path = os.environ.get(name)
    if not path:
        pytest.fail(f"{name} is not set: run the Python tests through ctest (python.pytest)")
    return path


@pytest.fixture(scope="session")
def qlab_cli():
    """Runs the qlab binary; returns stdout (the command must succeed)."""
    binary = _env_path("QLAB_BINARY")

    def run(*args, cwd=None) -> str:
        done = subprocess.run([binary, *map(str, args)], capture_output=True, text=True, cwd=cwd)
        assert done.returncode == 0, f"qlab {' '.join(map(str, args))}: {done.stderr}"
        return done.stdout

    return run


@pytest.fixture(scope="session")
def test_data():
    directory = _env_path("QLAB_TEST_DATA_DIR")
    return lambda name: json.load(open(os.path.join(directory, name)))


@pytest.fixture(scope="session")
def example_runs():
    return os.path.join(REPO, "examples", "runs")
