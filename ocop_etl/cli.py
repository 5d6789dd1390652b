"""The ``ocop-etl`` command line: a thin layer over the same functions the flows call."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from ocop_etl.ops.cli import register as register_ops_commands

app = typer.Typer(
    help="OCOP ETL: consolidate district OCOP rating reports into the national warehouse.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Warehouse schema commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")
register_ops_commands(app)  # serve, automation (ocop_etl/ops/cli.py)
console = Console()
err = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="SQLAlchemy URL (default: $OCOP_DATABASE_URL, else sqlite:///warehouse.db)."
    ),
]


# Seconds the temporary Prefect server may take to start (Prefect's default: 20).
STARTUP_S = 120


def _quiet_prefect() -> None:
    """Defaults that keep an ad-hoc run quiet; a user's own settings always win.

    Without PREFECT_API_URL Prefect starts a temporary server: its telemetry races block
    registration on SQLite, and its task-run recorder prints a traceback when stopped
    mid-flush (see ../shared/reference/prefect-ops.md). A real server needs none of this.
    """
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LOGGERS_PREFECT_TASK_RUNS_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")
    if not os.environ.get("PREFECT_API_URL"):
        os.environ.setdefault("PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED", "false")
        os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")
        # Prefect gives its temporary server 20 s to start; a first start (it migrates its own
        # database) took longer than that on a busy 2-core machine, failing the whole run.
        os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", str(STARTUP_S))


def adhoc_run_settings() -> dict[Any, Any]:
    """Prefect settings for a run on a temporary server (no PREFECT_API_URL), for
    ``prefect.settings.temporary_settings``. A heartbeat frequency set in the environment
    (either of Prefect's names for it) wins; one set only in a Prefect profile does not.

    No flow-run heartbeats: they tell a real server that a run's process is alive (a
    crashed run is then detected); a temporary server ends with the process, so nothing
    can ever read them. And their thread, which sleeps in 1-second steps, is joined when
    the flow run ends: every run ended up to 1 s later (0.5 s on average; in 14 timed runs
    the flow call ended 0.13-1.00 s after the flow function).
    """
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY

    if {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "PREFECT_RUNNER_HEARTBEAT_FREQUENCY"} & set(
        os.environ
    ):
        return {}
    return {PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}


def _settings(db: str | None):
    from ocop_etl.config import Settings

    settings = Settings()
    return settings.model_copy(update={"database_url": db}) if db else settings


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders (recursive). Default: the inbox.")
    ] = None,
    db: DbOption = None,
    force: Annotated[bool, typer.Option(help="Reprocess files the ledger already has.")] = False,
) -> None:
    """Run the ingestion flow over report files and load them into the warehouse.

    Exits 0 when the run completed, whatever the districts' files contained (rejected files
    and rows are reported); non-zero only when the run could not do its job.

    [bold]Examples[/bold]

      ocop-etl ingest data/inbox
      ocop-etl ingest report.xlsx --db postgresql+psycopg://etl@db/ocop
      OCOP_DATABASE_URL=sqlite:///w.db ocop-etl ingest --force
    """
    _quiet_prefect()
    from prefect.settings import get_current_settings, temporary_settings

    from flows.ingest import RunSummary
    from flows.ingest import ingest as ingest_flow

    adhoc = get_current_settings().api.url is None
    if adhoc:
        # Prefect will start a temporary server and wait for it: build what the workers
        # inherit meanwhile (ocop_etl.check.warm_up), instead of after it, inside the run.
        from ocop_etl.check import warm_up_in_background

        warm_up_in_background()
    settings = _settings(db)
    with temporary_settings(updates=adhoc_run_settings() if adhoc else {}):
        state = ingest_flow(
            paths=[str(p) for p in paths] if paths else None,
            database_url=settings.database_url,
            force=force,
            source_label=",".join(p.name for p in paths) if paths else "inbox",
            return_state=True,
        )
    summary = state.result(raise_on_failure=False)
    if isinstance(summary, RunSummary):
        _print_summary(summary)
    if not state.is_completed():
        err.print(f"[red]Run failed:[/red] {state.message}")
        raise typer.Exit(1)


def _print_summary(summary) -> None:
    from rich.table import Table

    table = Table(title=f"OCOP ingestion (load {summary.load_id})")
    for col in ("", "loaded", "rejected", "skipped", "failed"):
        table.add_column(col, justify="right")
    table.add_row(
        "files",
        str(summary.count("loaded")),
        str(summary.count("rejected")),
        str(summary.count("skipped_duplicate")),
        str(summary.count("failed")),
    )
    table.add_row("rows", str(summary.rows_loaded), str(summary.rows_rejected), "", "")
    console.print(table)
    warnings = sum(o.warnings for o in summary.outcomes)
    console.print(f"warnings recorded on loaded rows: {warnings}")
    console.print(f"warehouse: {summary.database}")
    console.print(f"feedback workbooks: {summary.feedback_dir}")


@app.command()
def sample(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write the sample inbox into.")],
    files: Annotated[int, typer.Option(help="How many report files.")] = 12,
    min_rows: Annotated[int, typer.Option(help="Fewest product rows per file.")] = 8,
    max_rows: Annotated[int, typer.Option(help="Most product rows per file.")] = 40,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same files).")] = 2024,
    faults: Annotated[bool, typer.Option(help="Put typical mistakes in some rows.")] = False,
) -> None:
    """Write realistic sample district reports (title block, merged headers, totals, signatures).

    [bold]Examples[/bold]

      ocop-etl sample data/inbox
      ocop-etl sample /tmp/bench --files 700 --min-rows 100 --max-rows 300
    """
    from ocop_etl.samples.generator import write_samples

    reports = write_samples(
        out_dir, files=files, rows_per_file=(min_rows, max_rows), seed=seed, faults=faults
    )
    rows = sum(len(r.rows) for r in reports)
    console.print(f"wrote {len(reports)} report(s), {rows} product rows, under {out_dir}")


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Report files to check.")],
    out: Annotated[Path, typer.Option(help="Where to write the annotated workbooks.")] = Path(
        "feedback"
    ),
    json_out: Annotated[
        bool, typer.Option("--json", help="Print the issues as JSON instead.")
    ] = False,
) -> None:
    """Check report files the way the pipeline would, without a database or Prefect.

    Writes, for each file with problems, a copy of the workbook with every offending cell
    highlighted and commented in Vietnamese, and a first sheet "Danh sách lỗi".
    Exit code: 0 no errors (warnings allowed), 1 errors or a rejected file, 2 not run.

    [bold]Examples[/bold]

      ocop-etl validate thang-binh_2022.xlsx
      ocop-etl validate *.xlsx --out /tmp/loi --json > issues.json
    """
    import json

    from ocop_etl.feedback.annotate import issues_to_json
    from ocop_etl.pipeline import RunOptions, check_file_outcome

    options = RunOptions(engine=None, archive_dir=None, feedback_dir=out)
    results = [check_file_outcome(path, options) for path in files]
    if json_out:
        payload = [
            {
                "file": str(path),
                "status": outcome.status,
                "feedback": outcome.feedback_path,
                "issues": json.loads(issues_to_json(issues)),
            }
            for path, (outcome, issues) in zip(files, results, strict=True)
        ]
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    else:
        for path, (outcome, issues) in zip(files, results, strict=True):
            _print_check(path, outcome, issues)
    has_errors = any(
        o.status == "rejected" or any(i.severity != "warning" for i in issues)
        for o, issues in results
    )
    raise typer.Exit(1 if has_errors else 0)


def _print_check(path: Path, outcome, issues) -> None:
    from rich.table import Table

    errors = sum(1 for i in issues if i.severity != "warning")
    warnings = len(issues) - errors
    colour = "red" if errors else ("yellow" if warnings else "green")
    console.print(
        f"[bold {colour}]{path.name}[/]: {outcome.status}, {outcome.rows_total} rows, "
        f"{outcome.rows_rejected} rejected, {errors} errors, {warnings} warnings"
    )
    if issues:
        table = Table(show_lines=False)
        for col in ("sheet", "row", "code", "value", "message (vi)"):
            table.add_column(col)
        for i in issues[:50]:
            table.add_row(
                i.source_sheet or "",
                str(i.source_row or ""),
                i.code,
                (i.value or "")[:40],
                i.message_vi,
            )
        console.print(table)
        if len(issues) > 50:
            console.print(f"… and {len(issues) - 50} more in the feedback workbook")
    if outcome.feedback_path:
        console.print(f"feedback workbook: {outcome.feedback_path}")


@app.command()
def template(
    out: Annotated[Path, typer.Argument(help="The .xlsx file to write.")],
    period: Annotated[
        int | None, typer.Option(help="Reporting year (chooses the product groups in force).")
    ] = None,
    province: Annotated[
        str | None, typer.Option(help="Province name for the title and unit lists.")
    ] = None,
) -> None:
    """Write the official report template districts should fill (drop-downs, formats, instructions).

    [bold]Examples[/bold]

      ocop-etl template mau_bao_cao_ocop_2025.xlsx --period 2025 --province "Quảng Nam"
    """
    from ocop_etl.feedback.template import write_template

    units = _province_units(province, period) if province else ()
    written = write_template(out, period=period, province=province, units=units)
    console.print(f"template written: {written}")


def _province_units(province: str, period: int | None) -> list[str]:
    """District and commune names valid for that province and period, for the drop-downs."""
    from datetime import date

    from ocop_etl.reference.admin_dimension import reference_tables
    from ocop_etl.reference.admin_units import REFORM_DATE, AdminResolver

    on = date(period, 6, 30) if period else date.today()
    ref = AdminResolver().resolve_province(province, on_date=on)
    if ref is None:
        err.print(f"[yellow]Province {province!r} not recognised; unit lists left empty.[/yellow]")
        return []
    units = reference_tables()["dim_admin_unit"]
    scheme = "2025" if on >= REFORM_DATE else "pre2025"
    chosen = units[
        (units["scheme"] == scheme)
        & (units["province_code"] == ref.code)
        & (units["level"] != "province")
    ]
    return sorted(chosen["full_name"].dropna().astype(str).unique().tolist())


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Apply warehouse migrations, re-create the BI views and seed reference data.

    [bold]Example[/bold]

      ocop-etl db upgrade --db postgresql+psycopg://postgres@127.0.0.1/ocop
    """
    from sqlalchemy import exc as sa_exc

    from ocop_etl.load.engine import get_engine, mask_url
    from ocop_etl.load.migrate import current_revision, upgrade

    url = _settings(db).database_url
    try:
        engine = get_engine(url)
        upgrade(engine)
        console.print(f"{mask_url(url)} is at revision {current_revision(engine)}")
    except sa_exc.OperationalError as exc:
        err.print(
            f"[red]Cannot reach the warehouse {mask_url(url)}:[/red] {str(exc).splitlines()[0]}"
        )
        raise typer.Exit(2) from exc


@db_app.command("grant")
def db_grant(
    db: DbOption = None,
    bi_role: Annotated[
        str | None, typer.Option(help="Read-only role for BI tools (views only).")
    ] = None,
    loader_role: Annotated[str | None, typer.Option(help="Role the pipeline loads with.")] = None,
) -> None:
    """Create or refresh PostgreSQL roles: BI reads the views only; the loader writes tables.

    Passwords are read from OCOP_BI_PASSWORD / OCOP_LOADER_PASSWORD (never from arguments);
    without one the role is created NOLOGIN (grant it to a login role yourself).

    [bold]Example[/bold]

      OCOP_BI_PASSWORD=... ocop-etl db grant --db postgresql+psycopg://postgres@db/ocop --bi-role ocop_bi
    """
    from ocop_etl.load.engine import get_engine
    from ocop_etl.load.migrate import ensure_current
    from ocop_etl.load.roles import grant_bi, grant_loader

    engine = get_engine(_settings(db).database_url)
    if engine.dialect.name != "postgresql":
        err.print(
            "[red]Roles exist only on PostgreSQL; SQLite files are protected by file permissions.[/red]"
        )
        raise typer.Exit(2)
    ensure_current(engine)
    with engine.begin() as conn:
        if bi_role:
            views = grant_bi(conn, bi_role, password=os.environ.get("OCOP_BI_PASSWORD"))
            console.print(f"{bi_role}: SELECT on {len(views)} views, nothing else")
        if loader_role:
            tables = grant_loader(
                conn, loader_role, password=os.environ.get("OCOP_LOADER_PASSWORD")
            )
            console.print(f"{loader_role}: read/write on {len(tables)} tables")


@db_app.command("dictionary")
def db_dictionary(db: DbOption = None) -> None:
    """Regenerate the view tables of warehouse/README.md from warehouse/columns.csv and views.csv.

    [bold]Example[/bold]

      ocop-etl db dictionary --db sqlite:///warehouse.db
    """
    from ocop_etl.load.dictionary import update_readme
    from ocop_etl.load.engine import get_engine
    from ocop_etl.load.migrate import ensure_current

    engine = get_engine(_settings(db).database_url)
    ensure_current(engine)
    with engine.connect() as conn:
        console.print(f"updated {update_readme(conn)}")


@app.command()
def codes(
    out: Annotated[Path | None, typer.Option(help="Write the table to this file instead.")] = None,
) -> None:
    """Print the table of stable issue codes (severity, English and Vietnamese messages).

    [bold]Example[/bold]

      ocop-etl codes --out docs/issue-codes.md
    """
    from ocop_etl.issues import catalogue_markdown

    text = catalogue_markdown()
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def main() -> None:  # pragma: no cover - console-script entry
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
