"""Operations commands: ``ocop-etl serve`` and ``ocop-etl automation create``.

Registered on the main ``ocop-etl`` app by ``register``; kept apart so the ingestion commands
stay readable.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.console import Console

from ocop_etl.ops.deployments import NIGHTLY_CRON, TIMEZONE

console = Console()
err = Console(stderr=True)

automation_app = typer.Typer(
    help="Alerts for failed or crashed runs (Prefect automations).", no_args_is_help=True
)


def _require_server() -> str:
    """A deployment lives on a Prefect server: without PREFECT_API_URL there is none to keep it."""
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if not url:
        err.print(
            "[red]PREFECT_API_URL is not set.[/red] Start a Prefect server "
            "(prefect server start --host 127.0.0.1 --port 4200) and set "
            "PREFECT_API_URL=http://127.0.0.1:4200/api for this command."
        )
        raise typer.Exit(2)
    return str(url)


def serve(
    cron: Annotated[
        str, typer.Option(help="Nightly schedule (cron, in --timezone).")
    ] = NIGHTLY_CRON,
    timezone: Annotated[str, typer.Option(help="Time zone of the schedule.")] = TIMEZONE,
    limit: Annotated[
        int | None, typer.Option(help="Most flow runs this process runs at once (default: no cap).")
    ] = None,
) -> None:
    """Create the deployments (nightly, reload, validate) and run their flow runs until stopped.

    The nightly deployment runs at 02:00 Asia/Ho_Chi_Minh, one run at a time; reload and
    validate run when started from the UI (Run ▸ Custom run) or the CLI. Stopping this process
    does not pause the schedule: run it under a supervisor (systemd) that restarts it.
    Needs PREFECT_API_URL (a running Prefect server); OCOP_* settings are read by each run.

    [bold]Examples[/bold]

      PREFECT_API_URL=http://127.0.0.1:4200/api ocop-etl serve
      ocop-etl serve --cron "30 1 * * *" --limit 2
      prefect deployment run 'ocop-reload/reload' -p content_hash=ab12… -p force=true
    """
    _require_server()
    # Operators read one line per file; per-task state lines are noise (prefect-ops.md §3).
    os.environ.setdefault("PREFECT_LOGGING_LOGGERS_PREFECT_TASK_RUNS_LEVEL", "WARNING")
    from ocop_etl.ops.deployments import build_deployments, serve_deployments

    serve_deployments(build_deployments(cron, timezone), limit=limit)


@automation_app.command("create")
def automation_create(
    webhook_url: Annotated[
        str,
        typer.Option(
            envvar="OCOP_WEBHOOK_URL",
            show_default=False,
            help='Where to POST the alert (JSON {"text": …}); also $OCOP_WEBHOOK_URL. Never printed.',
        ),
    ],
    name: Annotated[str, typer.Option(help="Name of the automation.")] = "ocop-run-failed",
) -> None:
    """Create (or replace) an automation that notifies a webhook when an OCOP run fails or crashes.

    Slack, Google Chat and Mattermost incoming webhooks accept the JSON it sends. The URL is
    stored in the Prefect block "ocop-ops-webhook" on the server, never printed.

    [bold]Examples[/bold]

      OCOP_WEBHOOK_URL=https://hooks.slack.com/services/… ocop-etl automation create
      ocop-etl automation create --webhook-url https://chat.example.vn/hook --name ocop-alerts
    """
    _require_server()
    from ocop_etl.errors import ConfigError
    from ocop_etl.ops.automations import BLOCK_NAME, create_failure_automation

    try:
        automation_id = create_failure_automation(webhook_url, name=name)
    except ConfigError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    console.print(
        f"automation {name!r} created ({automation_id}): failed or crashed OCOP runs are "
        f"sent to the webhook stored in block {BLOCK_NAME!r}"
    )


def register(app: typer.Typer) -> None:
    """Add the operations commands to the ``ocop-etl`` app."""
    app.command()(serve)
    app.add_typer(automation_app, name="automation")


__all__ = ["register"]
