"""Canonical column names, defined once; every stage refers to these constants.

Extracted (raw) fields are text exactly as the district wrote it (cleaned of invisible
characters); the normalized fields are typed. Lineage columns travel with every row.
"""

from __future__ import annotations

# Lineage: where a row came from, as the district sees it in Excel (1-based row number).
SOURCE_FILE = "source_file"
SOURCE_SHEET = "source_sheet"
SOURCE_ROW = "source_row"
LINEAGE = (SOURCE_FILE, SOURCE_SHEET, SOURCE_ROW)

# Raw fields a report may carry (keys of extract/column_aliases.csv).
SEQ = "seq"
PRODUCT_NAME = "product_name"
PRODUCER = "producer"
ADDRESS = "address"
COMMUNE = "commune"
DISTRICT = "district"
PROVINCE = "province"
PRODUCT_GROUP = "product_group"
SCORE = "score"
STARS = "stars"
DECISION = "decision"  # number and date in one cell: "QĐ số 3610/QĐ-UBND ngày 29/12/2022"
DECISION_NO = "decision_no"
DECISION_DATE = "decision_date"
YEAR = "year"
PRODUCER_TYPE = "producer_type"
NOTE = "note"

RAW_FIELDS = (
    SEQ, PRODUCT_NAME, PRODUCER, PRODUCER_TYPE, ADDRESS, COMMUNE, DISTRICT, PROVINCE,
    PRODUCT_GROUP, SCORE, STARS, DECISION, DECISION_NO, DECISION_DATE, YEAR, NOTE,
)

# Values carried down from section rows / sheet names / titles when the table has no column.
STARS_FROM_SECTION = "stars_from_section"
DISTRICT_FROM_SECTION = "district_from_section"
GROUP_FROM_SECTION = "group_from_section"
