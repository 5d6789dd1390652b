"""pandera validates only the columns the rules read (RULE_INPUTS), with the same verdicts."""

from __future__ import annotations

import pandas as pd
import pytest
from pandera.errors import SchemaErrorReason, SchemaErrors

from ocop_etl.schemas import columns as c
from ocop_etl.schemas import recognition
from ocop_etl.schemas.recognition import RULE_INPUTS, RecognitionSchema, validate_recognitions


def _rules_failing(frame: pd.DataFrame) -> list[tuple[str | None, SchemaErrorReason]]:
    try:
        RecognitionSchema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        return [(getattr(e.check, "name", None), e.reason_code) for e in exc.schema_errors]
    return []


def test_every_rule_runs_on_the_rule_inputs_alone(reports: list[pd.DataFrame]) -> None:
    # If this fails, a rule reads a column missing from RULE_INPUTS: add it there (validation
    # still works without it, but validates the whole frame: slower when rows fail).
    frame = reports[0]
    on_inputs = _rules_failing(frame[list(RULE_INPUTS)])
    assert on_inputs == _rules_failing(frame)
    assert {reason for _, reason in on_inputs} == {SchemaErrorReason.DATAFRAME_CHECK}
    every_rule = {check.name for check in RecognitionSchema.to_schema().checks}
    assert {code for code, _ in on_inputs} == every_rule


def test_a_rule_reading_another_column_still_gets_its_verdicts(
    reports: list[pd.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = validate_recognitions(reports[1])
    monkeypatch.setattr(
        recognition, "RULE_INPUTS", tuple(col for col in RULE_INPUTS if col != c.UNIT_STATUS)
    )
    got = validate_recognitions(reports[1])
    assert "unit.unresolved" in {i.code for i in got.issues}
    assert got.issues == expected.issues
    assert got.valid.equals(expected.valid) and got.rejected.equals(expected.rejected)


@pytest.mark.parametrize(
    "breakage",
    [
        lambda f: f.astype({c.STARS: object}),  # a dtype the schema does not allow
        lambda f: f.drop(columns=[c.UNIT_STATUS]),  # a column a rule needs
        lambda f: f.assign(**{c.SOURCE_ROW: 0}),  # a column check
    ],
    ids=["dtype", "missing-column", "column-check"],
)
def test_a_structural_fault_is_our_bug_not_an_issue(
    reports: list[pd.DataFrame], breakage: object
) -> None:
    broken = breakage(reports[2])  # type: ignore[operator]
    with pytest.raises(RuntimeError, match="Canonical frame failed schema check"):
        validate_recognitions(broken)
