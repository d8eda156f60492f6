"""Fixtures shared by the test modules that talk to moto's server over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="module")
def server() -> Iterator[Any]:
    """moto's server on 127.0.0.1 with state machine execution on, reset for each module."""
    from sfn_notebook.aws import MotoServer

    with MotoServer() as running:
        running.reset()  # moto's state is per process: start from nothing
        yield running


@pytest.fixture(scope="module")
def role(server: Any) -> Any:
    return server.role()


@pytest.fixture
def aws(server: Any) -> Iterator[Any]:
    connection = server.connect(poll_interval=0.1, max_poll_interval=0.3, calls_per_second=200)
    yield connection
    connection.close()
