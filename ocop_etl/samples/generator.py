"""Generate an inbox of realistic district OCOP result workbooks plus their ground truth.

    from ocop_etl.samples.generator import write_samples
    reports = write_samples(tmp_path, files=12, seed=2024)
    reports[0].path            # tmp/quang-nam/thang-binh/thang-binh_2022_dot2.xlsx
    reports[0].rows[0]         # ExpectedRow: what the pipeline must load for that row

Layout: ``out_dir/<province-slug>/<district-slug>/<district-slug>_<year>[_dot<round>].xlsx``.
Output is a pure function of the arguments: the same seed gives byte-identical files.
Districts come first from the provinces of ``real_ocop_rows.csv``; when a benchmark asks for
more files than those provinces hold (district × year × round), further provinces are used in
GSO code order.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from ocop_etl.samples.admin_units import (
    District,
    districts_in,
    province_display,
    province_kind,
    province_names,
)
from ocop_etl.samples.catalogue import real_rows
from ocop_etl.samples.faults import inject_faults
from ocop_etl.samples.layout import choose_layout
from ocop_etl.samples.model import ExpectedRow, SampleReport
from ocop_etl.samples.rows import RowPlan, plan_rows
from ocop_etl.samples.workbook_writer import ReportSpec, write_report

__all__ = ["ExpectedRow", "SampleReport", "write_samples"]

# Decision signing windows per batch ("đợt"): councils meet mid-year and at year end.
_ROUND_WINDOWS = {None: ((10, 1), (12, 30)), 1: ((6, 1), (8, 31)), 2: ((9, 1), (11, 15)),
                  3: ((11, 16), (12, 30))}


def slug(text: str) -> str:
    """ASCII file-name slug: "Thăng Bình" → "thang-binh", "Đăk Pơ" → "dak-po"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    ascii_text = "".join(c for c in unicodedata.normalize("NFD", text)
                         if not unicodedata.combining(c))
    words = "".join(c if c.isalnum() else " " for c in ascii_text.lower()).split()
    return "-".join(words)


def _core_provinces() -> tuple[str, ...]:
    """Provinces of the real rows, in file order: the samples' home ground."""
    return tuple(dict.fromkeys(r.province for r in real_rows()))


def _slots(files: int, years: tuple[int, ...],
           rng: random.Random) -> Iterator[tuple[District, int, int | None]]:
    """(district, year, round) for each file; a district-year has one file or 2-3 batches."""
    core = _core_provinces()
    pools = (districts_in(core), districts_in(p for p in province_names() if p not in core))
    produced = 0
    for pool in pools:
        pairs = [(d, y) for d in pool for y in years]
        rng.shuffle(pairs)
        for district, year in pairs:
            batches = rng.choice((0, 0, 0, 2, 3))
            for round_ in ([None] if batches == 0 else range(1, batches + 1)):
                if produced == files:
                    return
                produced += 1
                yield district, year, round_
    if produced < files:
        raise ValueError(f"only {produced} (district, year, round) slots for {files} files")


def _decision(district: District, year: int, round_: int | None, issuer_is_district: bool,
              rng: random.Random) -> tuple[str, date, str]:
    """(number, signing date, issuing body) of the decision the list belongs to.

    From 2023 (QĐ 148/QĐ-TTg) district UBNDs recognise 3★ themselves, so a district-headed
    report may cite its own decision; before that the province decided.
    """
    (m1, d1), (m2, d2) = _ROUND_WINDOWS[round_]
    start = date(year, m1, d1)
    signed = start + timedelta(days=rng.randrange((date(year, m2, d2) - start).days + 1))
    if issuer_is_district and year >= 2023 and rng.random() < 0.5:
        issuer = f"UBND {district.kind.lower()} {district.name}"
    else:
        kind = province_kind(district.province, year).lower()
        issuer = f"UBND {kind} {province_display(district.province, year)}"
    return f"{rng.randrange(100, 4000)}/QĐ-UBND", signed, issuer


def _expected(plan: RowPlan, row: int, sheet: str, spec: ReportSpec) -> ExpectedRow:
    has_decision = spec.layout.decision_mode != "none"
    return ExpectedRow(
        source_sheet=sheet, source_row=row, product_name=plan.product_name,
        producer=plan.producer, province=spec.district.province, district=spec.district.name,
        commune=plan.commune.name, stars=plan.stars, is_potential_5_star=plan.potential,
        score=plan.score, decision_no=spec.decision_no if has_decision else None,
        decision_date=spec.decision_date if has_decision else None, year=spec.year,
        expected_issue=plan.issue,
    )


def write_samples(out_dir: Path, *, files: int = 12, rows_per_file: tuple[int, int] = (8, 40),
                  seed: int = 2024, years: tuple[int, ...] = (2020, 2021, 2022, 2023, 2024),
                  faults: bool = False) -> list[SampleReport]:
    """Write ``files`` workbooks under ``out_dir`` and return their ground truth, in order.

    ``rows_per_file`` is an inclusive (min, max) product-row count. With ``faults`` every file
    gets a few deliberately wrong rows whose ``ExpectedRow.expected_issue`` names the code.
    File ``i``'s layout cycles through four base shapes (see ``layout.choose_layout``).
    """
    low, high = rows_per_file
    if files < 0 or not 1 <= low <= high or not years:
        raise ValueError("need files >= 0, 1 <= min rows <= max rows and at least one year")
    out_dir = Path(out_dir)
    master = random.Random(seed)
    reports: list[SampleReport] = []
    for index, (district, year, round_) in enumerate(_slots(files, tuple(years), master)):
        # One RNG per file, seeded from (seed, index): a file does not change when another
        # file's row count does.
        rng = random.Random(f"{seed}:{index}")
        layout = choose_layout(index, rng)
        has_score = layout.score_style is not None
        plans = plan_rows(district, rng.randint(low, high), has_score, rng)
        if faults:
            plans = inject_faults(plans, has_score, rng)
        number, signed, issuer = _decision(district, year, round_, layout.issuer_is_district, rng)
        spec = ReportSpec(
            district=district, year=year, round=round_,
            decision_no=None if layout.decision_mode == "none" else number,
            decision_date=None if layout.decision_mode == "none" else signed,
            decision_issuer=issuer, signed_on=signed, layout=layout, plans=tuple(plans),
        )
        folder = out_dir / slug(district.province) / slug(district.name)
        folder.mkdir(parents=True, exist_ok=True)
        name = slug(district.name) + f"_{year}" + (f"_dot{round_}" if round_ else "")
        path = folder / f"{name}.xlsx"
        sheet, rows = write_report(path, spec, rng)
        expected = tuple(_expected(p, r, sheet, spec) for p, r in zip(plans, rows, strict=True))
        reports.append(SampleReport(path=path, province=district.province,
                                    district=district.name, year=year, round=round_,
                                    rows=expected))
    return reports
