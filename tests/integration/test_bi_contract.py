"""The BI contract: documented columns, comments on PostgreSQL, a BI role that only reads views."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, exc, make_url, text

from ocop_etl.load.dictionary import END, START, column_docs, render_markdown, view_docs
from ocop_etl.load.engine import get_engine
from ocop_etl.load.migrate import WAREHOUSE_DIR, upgrade
from ocop_etl.load.roles import grant_bi
from ocop_etl.samples.generator import write_samples
from tests.integration.helpers import run_files

pytestmark = pytest.mark.integration


def test_every_view_column_is_documented_and_the_readme_is_current(sqlite_url: str) -> None:
    engine = get_engine(sqlite_url)
    upgrade(engine)
    docs = column_docs()
    with engine.connect() as conn:
        for view in view_docs():
            cols = conn.execute(text(f"SELECT * FROM {view.name} WHERE 1 = 0")).keys()
            assert set(cols) <= set(docs), (view.name, set(cols) - set(docs))
        rendered = render_markdown(conn)
    readme = (WAREHOUSE_DIR / "README.md").read_text(encoding="utf-8")
    section = readme.split(START, 1)[1].split(END, 1)[0]
    assert section.strip() == rendered.strip(), "run `ocop-etl db dictionary` to refresh"


@pytest.mark.postgres
def test_bi_role_reads_views_only_and_survives_a_re_upgrade(postgres_url: str, tmp_path: Path) -> None:
    engine = get_engine(postgres_url)
    reports = write_samples(tmp_path / "inbox", files=2, rows_per_file=(3, 5), seed=2)
    run_files(postgres_url, [r.path for r in reports], tmp_path)
    role = f"ocop_bi_{uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:
        grant_bi(conn, role, password="bi-test-pw")
    upgrade(engine)  # views are dropped and re-created: the grants must come back

    bi = create_engine(make_url(postgres_url).set(username=role, password="bi-test-pw"))
    try:
        with bi.connect() as conn:
            loaded = conn.execute(text("SELECT COUNT(*) FROM ocop_recognition")).scalar_one()
            assert loaded == sum(len(r.rows) for r in reports)
            for view in view_docs():
                conn.execute(text(f"SELECT * FROM {view.name} LIMIT 1"))
        for forbidden in (
            "SELECT * FROM fct_recognition LIMIT 1",
            "SELECT * FROM ledger_file LIMIT 1",
            "DELETE FROM fct_recognition",
            "INSERT INTO dim_product_group (taxonomy, code, name) VALUES ('x', 'y', 'z')",
            "UPDATE etl_file_status SET status = 'loaded'",  # a single-table, updatable view
        ):
            with bi.connect() as conn, pytest.raises(exc.ProgrammingError, match="permission denied"):
                conn.execute(text(forbidden))
    finally:
        bi.dispose()
        with engine.begin() as conn:
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))


@pytest.mark.postgres
def test_view_columns_carry_comments_on_postgresql(postgres_url: str) -> None:
    engine = get_engine(postgres_url)
    upgrade(engine)
    with engine.connect() as conn:
        comment = conn.execute(text(
            "SELECT col_description('ocop_recognition'::regclass, a.attnum) FROM pg_attribute a "
            "WHERE a.attrelid = 'ocop_recognition'::regclass AND a.attname = 'valid_until'"
        )).scalar_one()
        view_comment = conn.execute(text("SELECT obj_description('ocop_recognition'::regclass)")).scalar_one()
    assert comment == column_docs()["valid_until"]
    assert "recognition" in view_comment
