"""Fixtures shared by the reference tests: the resolver and tables take ~1 s to build."""

from __future__ import annotations

import pandas as pd
import pytest

from ocop_etl.reference.admin_dimension import reference_tables
from ocop_etl.reference.admin_units import AdminResolver


@pytest.fixture(scope="session")
def resolver() -> AdminResolver:
    return AdminResolver()


@pytest.fixture(scope="session")
def tables() -> dict[str, pd.DataFrame]:
    return reference_tables()
