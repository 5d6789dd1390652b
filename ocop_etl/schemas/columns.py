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
    SEQ,
    PRODUCT_NAME,
    PRODUCER,
    PRODUCER_TYPE,
    ADDRESS,
    COMMUNE,
    DISTRICT,
    PROVINCE,
    PRODUCT_GROUP,
    SCORE,
    STARS,
    DECISION,
    DECISION_NO,
    DECISION_DATE,
    YEAR,
    NOTE,
)

# Values carried down from section rows / sheet names / titles when the table has no column.
STARS_FROM_SECTION = "stars_from_section"
DISTRICT_FROM_SECTION = "district_from_section"
GROUP_FROM_SECTION = "group_from_section"

# Canonical (normalized) record, produced by transforms.normalize.to_canonical.
PRODUCER_NAME = "producer_name"
PRODUCER_KEY = "producer_key"
PRODUCER_KEY_LOOSE = "producer_key_loose"
PRODUCER_LEGAL_FORM = "producer_legal_form"
PRODUCT_KEY = "product_key"
IS_POTENTIAL_5_STAR = "is_potential_5_star"
IS_NOT_PASSED = "is_not_passed"
ISSUING_LEVEL = "issuing_level"
EVALUATION_YEAR = "evaluation_year"
CRITERIA_VERSION = "criteria_version"
VALID_UNTIL = "valid_until"
UNIT_SCHEME = "unit_scheme"
PROVINCE_CODE = "province_code"
DISTRICT_CODE = "district_code"
COMMUNE_CODE = "commune_code"
CURRENT_PROVINCE_CODE = "current_province_code"
UNIT_STATUS = "unit_status"
UNIT_CANDIDATES = "unit_candidates"
UNIT_UNRESOLVED_LEVEL = "unit_unresolved_level"
PRODUCT_GROUP_TAXONOMY = "product_group_taxonomy"
PRODUCT_GROUP_CODE = "product_group_code"
# Raw text kept beside every parsed value, for lineage and feedback.
PROVINCE_RAW = "province_raw"
DISTRICT_RAW = "district_raw"
COMMUNE_RAW = "commune_raw"
STARS_RAW = "stars_raw"
SCORE_RAW = "score_raw"
DECISION_RAW = "decision_raw"
PRODUCT_GROUP_RAW = "product_group_raw"
# Parse failures found while normalizing (an issue code or None), turned into issues by validation.
STARS_ERROR = "stars_error"
SCORE_ERROR = "score_error"
DATE_ERROR = "decision_date_error"
