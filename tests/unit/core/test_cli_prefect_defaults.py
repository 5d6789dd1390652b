"""The Prefect settings `ocop-etl` defaults for a run without a Prefect server of its own."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from ocop_etl import cli

_TIMEOUT = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    saved = dict(os.environ)  # _quiet_prefect sets other variables too: none may leak
    for name in ("PREFECT_API_URL", _TIMEOUT):
        monkeypatch.delenv(name, raising=False)
    yield monkeypatch
    os.environ.clear()
    os.environ.update(saved)


def test_the_temporary_server_gets_time_to_start_on_a_busy_machine(
    clean_env: pytest.MonkeyPatch,
) -> None:
    # Prefect's own 20 s was not enough for a first start on a busy 2-core machine.
    cli._quiet_prefect()
    assert int(os.environ[_TIMEOUT]) == cli.STARTUP_S > 20


def test_an_operators_own_setting_wins(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv(_TIMEOUT, "7")
    cli._quiet_prefect()
    assert os.environ[_TIMEOUT] == "7"


def test_nothing_is_set_for_a_real_server(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    cli._quiet_prefect()
    assert _TIMEOUT not in os.environ
