"""Hostile or broken district files: each rejected with a stable code or read within the limits
of ``ocop_etl.extract.limits.ReadLimits``, in bounded time and memory, and the run goes on.

Every file is checked in a child process (the pipeline's validate path: extract, normalize,
validate, feedback workbook) whose peak RSS and wall time are measured; an address-space cap
(RLIMIT_AS) keeps a regression from taking the test machine down with it. The bounds are
safety bounds, not performance targets: without the limits, the sparse-grid file aborts the
process, the shared-string bomb needs ~30 GB and the zip bomb ~2 GB.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from defusedxml import EntitiesForbidden

from ocop_etl.extract.limits import MB, ReadLimits
from ocop_etl.samples.generator import write_samples
from tests.integration import hostile_files as hf
from tests.integration.helpers import count, rows, run_files, warehouse
from tests.integration.reliability_record import Recorder, reliability  # noqa: F401
from tests.unit.extract.builders import write_encrypted_ooxml

pytestmark = pytest.mark.integration

LIMITS = ReadLimits()
MAX_SECONDS = 60.0  # per file, generous: the slowest case (1M formatted rows) takes ~5 s
MAX_RSS_MB = 1024.0  # per file: the pipeline's baseline is ~250 MB
ADDRESS_SPACE_CAP = 6 << 30

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
t0 = time.perf_counter()
from ocop_etl.pipeline import RunOptions, check_file_outcome
options = RunOptions(engine=None, archive_dir=None, feedback_dir=Path(sys.argv[2]))
start = time.perf_counter()
outcome, issues = check_file_outcome(Path(sys.argv[1]), options)
print(json.dumps({
    "status": outcome.status, "code": outcome.reason_code, "rows": outcome.rows_total,
    "reason": outcome.reason_en, "seconds": time.perf_counter() - start,
    "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def _cap_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_CAP, ADDRESS_SPACE_CAP))


def check_in_child(path: Path, feedback: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(feedback)],
        capture_output=True,
        text=True,
        timeout=180,
        preexec_fn=_cap_address_space,  # caps the child only
        check=False,
        cwd=str(path.parent),
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert done.returncode == 0, f"child died ({done.returncode}): {done.stderr[-2000:]}"
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _truncated(path: Path, sample: Path) -> Path:
    path.write_bytes(sample.read_bytes()[: sample.stat().st_size // 2])
    return path


def _corrupt(path: Path, sample: Path) -> Path:
    """The sheet part's compressed bytes overwritten with garbage (CRC and deflate broken)."""
    data = bytearray(sample.read_bytes())
    with zipfile.ZipFile(sample) as z:
        info = next(i for i in z.infolist() if i.filename.startswith("xl/worksheets/"))
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 20 : start + 220] = os.urandom(200)
    path.write_bytes(bytes(data))
    return path


def _sheets(path: Path, n: int) -> Path:
    return hf.write_xlsx(path, [(f"Huyện {i}", hf.table()) for i in range(n)])


def _long_cell(path: Path) -> Path:
    body = hf.table() + '<row r="9">' + hf.inline("B9", "x" * 1_000_000) + "</row>"
    return hf.write_xlsx(path, [("DS", body)])


def _sparse(path: Path) -> Path:
    body = hf.table() + '<row r="1048576">' + hf.inline("XFD1048576", "x") + "</row>"
    return hf.write_xlsx(path, [("DS", body)])


def _hidden_sparse(path: Path) -> Path:
    # A '/' inside a quoted value (x="/") is not a self-closing tag: calamine reads the cell.
    cell = '<c r="XFD1048576" x="/" t="inlineStr"><is><t>x</t></is></c>'
    return hf.write_xlsx(path, [("DS", hf.table() + f'<row r="1048576">{cell}</row>')])


def _unclosed_tags(path: Path) -> Path:
    # 350,000 cell tags that never close: 1 MB of sheet XML in a 3 KB file.
    return hf.write_xlsx(path, [("DS", hf.table() + '<row r="9">' + "<c " * 350_000 + "/></row>")])


# case → (what it is, how it is built, expected outcome code or "read", the limit at play)
CASES: dict[str, tuple[str, Callable[[Path, Path], Path], str, str]] = {
    "truncated": ("truncated workbook (first half of a real report)", _truncated,
                  "file.unreadable", "—"),
    "corrupt": ("corrupt workbook (sheet part overwritten)", _corrupt, "file.unreadable", "—"),
    "password": ("password-protected workbook (encrypted OOXML)",
                 lambda p, s: write_encrypted_ooxml(p), "file.password_protected", "—"),
    "zip_bomb": ("zip bomb: 300 MB sheet part in a 0.3 MB file",
                 lambda p, s: hf.zip_bomb(p, 300), "file.zip_bomb",
                 f"uncompressed ≤ {LIMITS.max_uncompressed_bytes // MB} MB"),
    "ratio_bomb": ("zip bomb: 20 MB part compressed 1000:1",
                   lambda p, s: hf.zip_bomb(p, 20), "file.zip_bomb",
                   f"compression ratio ≤ {LIMITS.max_compression_ratio:g}:1"),
    "laughs_sst": ("XML entity bomb (billion laughs) in sharedStrings.xml",
                   lambda p, s: hf.laughs_in_shared_strings(p), "file.unreadable",
                   "entities refused"),
    "laughs_workbook": ("XML entity bomb (billion laughs) in workbook.xml",
                        lambda p, s: hf.laughs_in_workbook(p), "file.unreadable",
                        "entities refused"),
    "big_file": ("a 100 MB file", lambda p, s: hf.big_file(p, 100), "file.too_large",
                 f"file ≤ {LIMITS.max_file_bytes // MB} MB"),
    "formatted_rows": ("a sheet with a million empty formatted rows (9 MB, 116 MB of XML)",
                       lambda p, s: hf.million_formatted_rows(p), "read",
                       f"≤ {LIMITS.max_sheet_rows:,} rows with values"),
    "sheets_200": ("a workbook with 200 sheets", lambda p, s: _sheets(p, 200),
                   "file.too_many_sheets", f"≤ {LIMITS.max_sheets} sheets"),
    "long_cell": ("a cell of 1 MB text", lambda p, s: _long_cell(p), "cell.too_long",
                  f"≤ {LIMITS.max_cell_chars:,} characters per cell"),
    "shared_string_bomb": ("1 MB shared string referenced by 30,000 cells (60 KB file)",
                           lambda p, s: hf.shared_string_bomb(p, text_chars=1_000_000,
                                                              cells=30_000),
                           "cell.too_long", f"≤ {LIMITS.max_cell_chars:,} characters per cell"),
    "shared_text_bomb": ("30,000-character shared string referenced by 20,000 cells",
                         lambda p, s: hf.shared_string_bomb(p, text_chars=30_000, cells=20_000),
                         "file.zip_bomb",
                         f"expanded text ≤ {LIMITS.max_uncompressed_bytes // MB} MB"),
    "sparse_grid": ("two cells, A1 and XFD1048576 (17 billion-cell grid)",
                    lambda p, s: _sparse(p), "file.sheet_too_big",
                    f"≤ {LIMITS.max_sheet_cells:,} cells per sheet"),
    "hidden_sparse_grid": ('a cell at XFD1048576 written with x="/" in its tag',
                           lambda p, s: _hidden_sparse(p), "file.sheet_too_big",
                           "tags read as calamine reads them"),
    "unclosed_tags": ("350,000 cell tags that never close (1 MB of sheet XML)",
                      lambda p, s: _unclosed_tags(p), "file.unreadable",
                      "linear scan (possessive patterns)"),
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("hostile")
    (sample,) = write_samples(root / "good", files=1, rows_per_file=(8, 8), seed=5)
    (root / "inbox").mkdir()
    out = {}
    for case, (_, build, _, _) in CASES.items():
        out[case] = build(root / "inbox" / f"{case}.xlsx", sample.path)
    return out


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_file_is_rejected_or_read_within_limits(
    case: str, corpus: dict[str, Path], tmp_path: Path, reliability: Recorder  # noqa: F811
) -> None:
    what, _, expected, limit = CASES[case]
    result = check_in_child(corpus[case], tmp_path / "feedback")

    if expected == "read":
        assert result["status"] == "valid", result
        assert result["rows"] == 3
        outcome = f"read: {result['rows']} product rows"
    else:
        assert (result["status"], result["code"]) == ("rejected", expected), result
        outcome = f"rejected `{expected}`"
        # The district still gets a feedback workbook saying why.
        assert list((tmp_path / "feedback").glob("*.loi.xlsx"))
    seconds, rss = float(result["seconds"]), float(result["rss_mb"])  # type: ignore[arg-type]
    assert seconds < MAX_SECONDS
    assert rss < MAX_RSS_MB
    reliability("input", what, limit=limit, outcome=outcome, seconds=seconds, peak_rss_mb=rss)


def test_the_other_files_of_the_run_still_load(
    corpus: dict[str, Path], tmp_path: Path, sqlite_url: str
) -> None:
    good = write_samples(tmp_path / "good", files=2, rows_per_file=(5, 7), seed=11)
    # The cheap-to-read hostile files beside the good ones, in one run (in this process).
    bad = [corpus[c] for c in CASES if c not in ("formatted_rows",)]
    outcomes = run_files(sqlite_url, [*bad, *(g.path for g in good)], tmp_path)

    by_name = {o.source_file: o for o in outcomes}
    for case in CASES:
        if case == "formatted_rows":
            continue
        assert by_name[f"{case}.xlsx"].status == "rejected"
        assert by_name[f"{case}.xlsx"].reason_code == CASES[case][2]
    for g in good:
        assert by_name[g.path.name].status == "loaded"
    engine = warehouse(sqlite_url)
    assert count(engine, "fct_recognition") == sum(len(g.rows) for g in good)
    statuses = rows(engine, "SELECT reason_code, status FROM ledger_file WHERE status='rejected'")
    assert len(statuses) == len(bad)


def test_openpyxl_parses_through_defusedxml() -> None:
    """openpyxl (legacy fonts, feedback copies) must refuse entity bombs, not expand them."""
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


def test_openpyxl_refuses_a_billion_laughs_workbook(tmp_path: Path) -> None:
    path = hf.laughs_in_shared_strings(tmp_path / "laughs.xlsx")
    with pytest.raises(ValueError) as caught:  # openpyxl wraps the parser's refusal
        openpyxl.load_workbook(path)
    assert isinstance(caught.value.__cause__ or caught.value.__context__, EntitiesForbidden)
