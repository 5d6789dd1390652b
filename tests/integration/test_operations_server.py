"""THE operations test: a real Prefect server, served deployments, a failed nightly run,
the UI's Retry on that same run, and a warehouse that holds each row exactly once.

Slow by nature (a server, a serve process and flow-run subprocesses): one scenario, shared.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.request import urlopen

import pytest

from ocop_etl.samples.generator import write_samples
from tests.integration.helpers import facts_per_file, rows, warehouse

pytestmark = pytest.mark.integration

BIN = Path(sys.executable).parent
DEADLINE_S = 180  # a guard against hanging forever, not a performance assertion


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(what: str, check, deadline_s: float = DEADLINE_S):
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"gave up waiting for {what}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``prefect server start`` on a free loopback port, isolated PREFECT_HOME; its API URL."""
    home = tmp_path_factory.mktemp("prefect-server-home")
    port = _free_port()
    env = os.environ | {"PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    log = (home / "server.log").open("wb")
    proc = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    api = f"http://127.0.0.1:{port}/api"

    def healthy() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"prefect server exited: {(home / 'server.log').read_text()}")
        try:
            with urlopen(f"{api}/health", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    started = time.monotonic()
    _wait("the Prefect server's /api/health", healthy, 90)
    print(f"prefect server healthy after {time.monotonic() - started:.1f} s")
    try:
        yield api
    finally:
        _stop(proc)
        log.close()


class _Webhook:
    """A local webhook endpoint that records what it is sent."""

    def __init__(self) -> None:
        received: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received.append(body.decode("utf-8", "replace"))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.received = received
        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/ocop-alerts"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_failed_nightly_run_is_retried_from_the_ui_and_loads_each_row_once(
    prefect_api: str, tmp_path: Path
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from prefect.states import Scheduled

    inbox = tmp_path / "inbox"
    reports = write_samples(inbox, files=3, rows_per_file=(4, 8), seed=61)
    # The warehouse's folder does not exist yet: SQLite cannot open it ("unreachable").
    db_dir = tmp_path / "not-yet-mounted"
    db_url = f"sqlite:///{db_dir / 'warehouse.db'}"
    client_home = tmp_path / "client-home"
    env = os.environ | {
        "PREFECT_API_URL": prefect_api,
        "PREFECT_HOME": str(client_home),
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        "OCOP_DATABASE_URL": db_url,
        "OCOP_INBOX_DIR": str(inbox),
        "OCOP_ARCHIVE_DIR": str(tmp_path / "data" / "archive"),
        "OCOP_FEEDBACK_DIR": str(tmp_path / "data" / "feedback"),
    }

    hook = _Webhook()
    created = subprocess.run(
        [str(BIN / "ocop-etl"), "automation", "create"],
        env=env | {"OCOP_WEBHOOK_URL": hook.url},
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert created.returncode == 0, created.stderr
    assert hook.url not in created.stdout + created.stderr  # never print the webhook
    assert "ocop-run-failed" in created.stdout

    serve_log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [str(BIN / "ocop-etl"), "serve"],
        env=env,
        cwd=tmp_path,
        stdout=serve_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        with (
            temporary_settings({PREFECT_API_URL: prefect_api}),
            get_client(sync_client=True) as client,
        ):

            def deployment(name: str):
                try:
                    return client.read_deployment_by_name(name)
                except Exception:  # noqa: BLE001 - not registered yet
                    return None

            nightly = _wait("the nightly deployment", lambda: deployment("ocop-nightly/nightly"))
            assert _wait("reload", lambda: deployment("ocop-reload/reload"))
            assert _wait("validate", lambda: deployment("ocop-validate/validate"))
            (schedule,) = nightly.schedules
            assert schedule.schedule.cron == "0 2 * * *"
            assert schedule.schedule.timezone == "Asia/Ho_Chi_Minh"
            assert nightly.global_concurrency_limit is not None
            assert nightly.global_concurrency_limit.limit == 1
            assert not nightly.paused

            run = run_deployment("ocop-nightly/nightly", timeout=0)

            def final(run_id):
                state = client.read_flow_run(run_id).state
                return state if state is not None and state.is_final() else None

            started = time.monotonic()
            failed = _wait("the first run to end", lambda: final(run.id))
            first_s = time.monotonic() - started
            assert failed.is_failed(), failed
            assert "unreachable" in (failed.message or "")
            assert "press Retry" in (failed.message or "")

            # The operator mounts the database, then presses Retry on the failed run.
            db_dir.mkdir()
            started = time.monotonic()
            client.set_flow_run_state(
                run.id, Scheduled(name="AwaitingRetry", message="Retry from the UI"), force=True
            )
            _wait("the retry to start", lambda: not client.read_flow_run(run.id).state.is_final())
            done = _wait("the retried run to end", lambda: final(run.id))
            retry_s = time.monotonic() - started
            assert done.is_completed(), done
            assert client.read_flow_run(run.id).run_count == 2

            engine = warehouse(db_url)
            per_file = facts_per_file(engine)
            assert per_file == {r.path.name: len(r.rows) for r in reports}
            duplicates = rows(
                engine,
                "SELECT file_id, source_sheet, source_row FROM fct_recognition "
                "GROUP BY file_id, source_sheet, source_row HAVING COUNT(*) > 1",
            )
            assert duplicates == []

            # Retry is always safe: pressing it again on the completed run loads nothing twice.
            client.set_flow_run_state(
                run.id, Scheduled(name="AwaitingRetry", message="Retry from the UI"), force=True
            )
            _wait("the second retry to start", lambda: client.read_flow_run(run.id).run_count == 3)
            assert _wait("the second retry to end", lambda: final(run.id)).is_completed()
            total = rows(engine, "SELECT COUNT(*) AS n FROM fct_recognition")[0]["n"]
            assert total == sum(len(r.rows) for r in reports)

            # The automation told the operators about the failure.
            alerts = _wait("the failure alert", lambda: hook.received, 60)
            name = client.read_flow_run(run.id).name  # named at start: "nightly-<date>-inbox"
            assert name.startswith("nightly-") and name.endswith("-inbox")
            assert any(name in a and "Failed" in a for a in alerts), alerts
            assert json.loads(alerts[0])["text"]

            print(f"first (failing) run {first_s:.1f} s; retry round trip {retry_s:.1f} s")
            _stop(server)
            # pause_on_shutdown=False: a supervisor's restart must not pause the schedule.
            assert not client.read_deployment_by_name("ocop-nightly/nightly").paused
    finally:
        _stop(server)
        serve_log.close()
        hook.server.shutdown()
        if os.environ.get("OCOP_TEST_SHOW_LOGS"):
            print((tmp_path / "serve.log").read_text())
