"""``pipeline.process_batch``: many files per call, each with exactly its own outcome.

Batching shares only per-call overhead (one hash query, one pandera call); it must never
change what a file gets, and one bad file must never fail its neighbours.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import event

from ocop_etl import pipeline
from ocop_etl.check import read_file, validate_many
from ocop_etl.load import ledger
from ocop_etl.pipeline import RunOptions, process_batch
from ocop_etl.samples.generator import write_samples
from ocop_etl.schemas.recognition import validate_recognitions

from .helpers import rows, run_files, warehouse

pytestmark = pytest.mark.integration


def _samples(tmp_path: Path, files: int = 4) -> list[Path]:
    reports = write_samples(tmp_path / "inbox", files=files, rows_per_file=(6, 14), faults=True)
    return [r.path for r in reports]


def test_validate_many_equals_one_file_at_a_time(tmp_path: Path) -> None:
    frames = [read_file(p).canonical for p in _samples(tmp_path, files=5)]
    # The same file twice in a batch: its rows must not count as duplicates of each other.
    frames.append(frames[0])
    together = validate_many(frames)
    for frame, batch_result in zip(frames, together, strict=True):
        alone = validate_recognitions(frame)
        assert batch_result.issues == alone.issues
        assert batch_result.valid.equals(alone.valid)
        assert batch_result.rejected.equals(alone.rejected)
    assert any(r.issues for r in together)  # the faults are seen


def _options(url: str, work: Path) -> RunOptions:
    engine = warehouse(url)
    return RunOptions(
        engine=engine,
        archive_dir=work / "archive",
        feedback_dir=work / "feedback",
        load_id=ledger.start_load(engine, source="test", flow_run_id=None),
    )


def test_batch_outcomes_equal_file_by_file(tmp_path: Path) -> None:
    paths = _samples(tmp_path)
    one_by_one = run_files(f"sqlite:///{tmp_path / 'a.db'}", paths, tmp_path / "a")
    batched = process_batch(paths, _options(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "b"))

    def essence(o: ledger.FileOutcome) -> tuple[object, ...]:
        return (o.source_file, o.status, o.rows_total, o.rows_loaded, o.rows_rejected, o.warnings)

    assert [essence(o) for o in batched] == [essence(o) for o in one_by_one]


def test_one_bad_file_never_fails_its_neighbours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _samples(tmp_path, files=3)
    garbage = tmp_path / "inbox" / "broken.xlsx"
    garbage.write_bytes(b"not a workbook at all")
    crashing = paths[1]
    real_read = pipeline.read_file

    def read_or_crash(path: Path, **kwargs: object) -> pipeline.ReadFile:
        if path == crashing:
            raise RuntimeError("a bug in the reader")
        return real_read(path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "read_file", read_or_crash)
    url = f"sqlite:///{tmp_path / 'w.db'}"
    options = _options(url, tmp_path / "work")
    outcomes = process_batch([paths[0], garbage, crashing, paths[2]], options)

    assert [o.status for o in outcomes] == ["loaded", "rejected", "failed", "loaded"]
    assert outcomes[2].reason_code == "run.failed"
    loaded = rows(options.engine, "SELECT count(*) AS n FROM ledger_file WHERE status = 'loaded'")  # type: ignore[arg-type]
    assert loaded == [{"n": 2}]

    # The same batch again: loaded and rejected bytes are skipped, the failed file is retried.
    monkeypatch.setattr(pipeline, "read_file", real_read)
    again = process_batch([paths[0], garbage, crashing, paths[2]], options)
    assert [o.status for o in again] == ["skipped_duplicate"] * 2 + ["loaded", "skipped_duplicate"]


def test_a_file_that_breaks_validation_fails_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A normalizer bug: one file's canonical frame has a column of the wrong type. The
    # batch's single pandera call fails; each file is validated alone and that one fails.
    paths = _samples(tmp_path, files=3)
    real_read = pipeline.read_file

    def read_broken(path: Path, **kwargs: object) -> pipeline.ReadFile:
        read = real_read(path, **kwargs)  # type: ignore[arg-type]
        if path == paths[1]:
            return dataclasses.replace(read, canonical=read.canonical.assign(source_row="x"))
        return read

    monkeypatch.setattr(pipeline, "read_file", read_broken)
    options = _options(f"sqlite:///{tmp_path / 'w.db'}", tmp_path / "work")
    outcomes = process_batch(paths, options)
    assert [o.status for o in outcomes] == ["loaded", "failed", "loaded"]
    assert outcomes[1].reason_code == "run.failed"


def test_a_file_that_breaks_its_load_fails_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _samples(tmp_path, files=3)
    real_load = pipeline._load

    def load_or_crash(conn, facts, *args, **kwargs):  # type: ignore[no-untyped-def]
        if facts.path == paths[1]:
            raise ValueError("a value the database refuses")
        return real_load(conn, facts, *args, **kwargs)

    monkeypatch.setattr(pipeline, "_load", load_or_crash)
    options = _options(f"sqlite:///{tmp_path / 'w.db'}", tmp_path / "work")
    outcomes = process_batch(paths, options)
    assert [o.status for o in outcomes] == ["loaded", "failed", "loaded"]
    facts_of_failed = rows(
        options.engine,  # type: ignore[arg-type]
        "SELECT count(*) AS n FROM fct_recognition f JOIN ledger_file l USING (file_id) "
        "WHERE l.source_file = :name",
        name=paths[1].name,
    )
    assert facts_of_failed == [{"n": 0}]


def test_a_file_is_checked_and_loaded_on_one_pooled_connection(
    tmp_path: Path, warehouse_url: str
) -> None:
    # The content check, the loader's look-ahead and the file's transaction share one
    # checkout: on PostgreSQL each checkout is a ping and a rollback, round trips a remote
    # warehouse pays per file. Counted as the difference between batches of 2 and 4 new
    # files, so what a batch does once (its hash query) cancels out.
    paths = _samples(tmp_path, files=6)
    options = _options(warehouse_url, tmp_path / "work")
    engine = options.engine
    assert engine is not None
    checkouts: list[object] = []

    def count(*_: object) -> None:
        checkouts.append(None)

    event.listen(engine, "checkout", count)
    try:
        counted = []
        for batch in (paths[:2], paths[2:]):
            before = len(checkouts)
            outcomes = process_batch(batch, options)
            assert {o.status for o in outcomes} == {"loaded"}
            counted.append(len(checkouts) - before)
    finally:
        event.remove(engine, "checkout", count)
    assert counted[1] - counted[0] == 2  # one checkout per extra file

