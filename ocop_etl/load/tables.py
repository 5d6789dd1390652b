"""SQLAlchemy Core metadata of the warehouse, defined once.

Alembic migrations in ``warehouse/migrations`` are written against these definitions; production
code never calls ``create_all()``. BI tools do not read these tables: they read the views in
``warehouse/views`` (a stable contract while tables evolve underneath).

Grains (see ``warehouse/README.md``):
- ``fct_recognition``   one product's rating in one submitted report row
- ``ledger_file``       one processing attempt of one file (loaded / rejected / failed / skipped / superseded)
- ``ledger_load``       one run of the ingestion flow
- ``dq_issue``          one validation issue (kept across runs to trend data quality)
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

# A naming convention gives every constraint a stable, predictable name, so migrations can
# refer to them by name on both SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# Statuses a file can have in the ledger. "loaded" is the current submission for its reporting
# unit and period; "superseded" was loaded and then replaced by a newer submission.
FILE_STATUSES = ("loading", "loaded", "rejected", "failed", "skipped_duplicate", "superseded")
# Statuses whose bytes are "already handled": seeing the same bytes again is a duplicate.
HANDLED_STATUSES = ("loaded", "superseded", "rejected")

ledger_load = Table(
    "ledger_load",
    metadata,
    Column("load_id", Integer, primary_key=True, autoincrement=True),
    Column("flow_run_id", String(64)),
    Column("source", Text, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", String(16), nullable=False),
    Column("files_seen", Integer, nullable=False, server_default="0"),
    Column("files_loaded", Integer, nullable=False, server_default="0"),
    Column("files_rejected", Integer, nullable=False, server_default="0"),
    Column("files_skipped", Integer, nullable=False, server_default="0"),
    Column("files_failed", Integer, nullable=False, server_default="0"),
    Column("rows_loaded", Integer, nullable=False, server_default="0"),
    Column("rows_rejected", Integer, nullable=False, server_default="0"),
)

ledger_file = Table(
    "ledger_file",
    metadata,
    Column("file_id", Integer, primary_key=True, autoincrement=True),
    Column("load_id", ForeignKey("ledger_load.load_id"), nullable=False),
    Column("flow_run_id", String(64)),
    Column("source_path", Text, nullable=False),
    Column("source_file", Text, nullable=False),
    Column("byte_sha256", String(64), nullable=False),
    Column("content_sha256", String(64)),
    Column("size_bytes", BigInteger, nullable=False),
    Column("archive_path", Text),
    Column("reporting_province", Text),
    Column("reporting_district", Text),
    Column("reporting_province_code", String(8)),
    Column("reporting_district_code", String(8)),
    Column("period_year", Integer),
    Column("period_round", Integer),
    # "<province code>|<district code or ->|<year>|<round or ->": one current submission per key.
    Column("submission_key", Text),
    Column("template_version", String(32)),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=False),
    Column("status", String(20), nullable=False),
    Column("rows_total", Integer, nullable=False, server_default="0"),
    Column("rows_loaded", Integer, nullable=False, server_default="0"),
    Column("rows_rejected", Integer, nullable=False, server_default="0"),
    Column("warnings", Integer, nullable=False, server_default="0"),
    Column("reason_code", String(64)),
    Column("reason_en", Text),
    Column("reason_vi", Text),
    Column("superseded_by_file_id", Integer),
    Column("superseded_at", DateTime(timezone=True)),
    Column("feedback_path", Text),
    Index("ix_ledger_file_byte_sha256", "byte_sha256"),
    Index("ix_ledger_file_content_sha256", "content_sha256"),
    # The database, not luck, guarantees a file's bytes have one current load and that a
    # reporting unit has one current submission per period, even with two runs racing.
    # (Superseded loads of the same bytes may exist: an operator's forced reload.)
    Index(
        "uq_ledger_file_loaded_bytes",
        "byte_sha256",
        unique=True,
        sqlite_where=text("status = 'loaded'"),
        postgresql_where=text("status = 'loaded'"),
    ),
    Index(
        "uq_ledger_file_current_submission",
        "submission_key",
        unique=True,
        sqlite_where=text("status = 'loaded'"),
        postgresql_where=text("status = 'loaded'"),
    ),
    # Unique because file_id is: it lets a fact's foreign key name its file and its load
    # together (see fct_recognition).
    Index("uq_ledger_file_file_id_load_id", "file_id", "load_id", unique=True),
)

dim_admin_unit = Table(
    "dim_admin_unit",
    metadata,
    Column("scheme", String(8), primary_key=True),  # 'pre2025' | '2025': codes were reused in 2025
    Column("level", String(10), primary_key=True),  # 'province' | 'district' | 'commune'
    Column("code", String(8), primary_key=True),
    Column("name", Text, nullable=False),  # official name without the type prefix
    Column("unit_type", Text),
    Column("full_name", Text),
    Column("parent_code", String(8)),
    Column("province_code", String(8)),
    Column("valid_from", Date),
    Column("valid_to", Date),
)

bridge_admin_2025 = Table(
    "bridge_admin_2025",
    metadata,
    Column("level", String(10), primary_key=True),
    Column("old_code", String(8), primary_key=True),
    Column("new_code", String(8), primary_key=True),
    Column("is_partial", Boolean, nullable=False),
)

admin_alias = Table(
    "admin_alias",
    metadata,
    Column("scheme", String(8), primary_key=True),
    Column("level", String(10), primary_key=True),
    Column("code", String(8), primary_key=True),
    Column("alias", Text, primary_key=True),  # unaccented, spaces removed ("nongson"), as matched
    Column("kind", String(16), nullable=False),  # 'variant' | 'former_name' | 'review'
    Column("source", Text, nullable=False),
)

# Which release of each reference dataset the tables hold: when the code ships a newer one
# (e.g. historical units added), `ocop-etl db upgrade` / ensure_current replaces the rows.
reference_version = Table(
    "reference_version",
    metadata,
    Column("dataset", String(32), primary_key=True),  # 'admin_units' | 'product_groups'
    Column("version", Text, nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
)

dim_product_group = Table(
    "dim_product_group",
    metadata,
    Column("taxonomy", String(16), primary_key=True),  # '1048/QĐ-TTg' | '148/QĐ-TTg'
    Column("code", String(16), primary_key=True),
    Column("name", Text, nullable=False),
    Column("parent_code", String(16)),
)

dim_producer = Table(
    "dim_producer",
    metadata,
    Column("producer_id", Integer, primary_key=True, autoincrement=True),
    # Identity is an exact key inside a province block; '' when the province is unknown.
    Column("block_key", String(16), nullable=False),
    Column("key_exact", Text, nullable=False),
    Column("key_loose", Text, nullable=False),
    Column("display_name", Text, nullable=False),
    Column("producer_type", String(24), nullable=False),
    Column("legal_form", Text),
    Column("first_file_id", Integer),
    UniqueConstraint("block_key", "key_exact"),
    # A block's producers above the last id the loader has seen, by range (known_producers).
    Index("ix_dim_producer_block_key_producer_id", "block_key", "producer_id"),
)

dim_product = Table(
    "dim_product",
    metadata,
    Column("product_id", Integer, primary_key=True, autoincrement=True),
    Column("block_key", String(16), nullable=False),
    # The producer's exact key ('' when unknown) scopes the product: a re-rating of the same
    # product by the same producer is a new recognition of the same product, not a new product.
    Column("producer_key", Text, nullable=False),
    Column("product_key", Text, nullable=False),
    Column("producer_id", ForeignKey("dim_producer.producer_id")),
    Column("display_name", Text, nullable=False),
    Column("first_file_id", Integer),
    UniqueConstraint("block_key", "producer_key", "product_key"),
)

fct_recognition = Table(
    "fct_recognition",
    metadata,
    Column("recognition_id", Integer, primary_key=True, autoincrement=True),
    Column("file_id", Integer, nullable=False),
    Column("load_id", Integer, nullable=False),
    Column("source_sheet", Text, nullable=False),
    Column("source_row", Integer, nullable=False),
    Column("product_id", ForeignKey("dim_product.product_id"), nullable=False),
    # The product's producer (dim_product.producer_id, which has the foreign key), kept on
    # the fact for BI filters.
    Column("producer_id", Integer),
    Column("product_name", Text, nullable=False),
    Column("producer_name", Text),
    Column("producer_type", String(24)),
    Column("stars", SmallInteger),
    Column("score", Float),
    Column("is_potential_5_star", Boolean, nullable=False),
    Column("criteria_version", String(16)),
    Column("evaluation_year", Integer),
    Column("decision_no", Text),
    Column("decision_date", Date),
    Column("issuing_level", String(12)),
    Column("valid_until", Date),
    Column("unit_scheme", String(8)),
    Column("province_code", String(8)),
    Column("district_code", String(8)),
    Column("commune_code", String(8)),
    Column("current_province_code", String(8)),
    Column("product_group_taxonomy", String(16)),
    Column("product_group_code", String(16)),
    Column("warnings", SmallInteger, nullable=False, server_default="0"),
    # As-reported strings, kept beside every resolution.
    Column("province_raw", Text),
    Column("district_raw", Text),
    Column("commune_raw", Text),
    Column("stars_raw", Text),
    Column("score_raw", Text),
    Column("decision_raw", Text),
    Column("product_group_raw", Text),
    UniqueConstraint("file_id", "source_sheet", "source_row"),
    Index("ix_fct_recognition_product_id", "product_id"),
    # Two foreign-key checks per fact row, not four: PostgreSQL runs one query per row and
    # key. The row's file and load in one key (which also guarantees the load is the
    # file's); the producer through the product. Four keys cost the PostgreSQL server
    # 15.0 s of CPU per 700-file backfill, these two 11.7 s (3 pairs of runs); the key to
    # ledger_load also had every fact row of both workers' transactions lock the same row.
    ForeignKeyConstraint(["file_id", "load_id"], ["ledger_file.file_id", "ledger_file.load_id"]),
)

dq_issue = Table(
    "dq_issue",
    metadata,
    Column("issue_id", Integer, primary_key=True, autoincrement=True),
    Column("file_id", ForeignKey("ledger_file.file_id"), nullable=False),
    Column("load_id", ForeignKey("ledger_load.load_id"), nullable=False),
    Column("code", String(64), nullable=False),
    Column("severity", String(8), nullable=False),
    Column("source_sheet", Text),
    Column("source_row", Integer),
    Column("column_name", Text),
    Column("value", Text),
    Column("message_vi", Text, nullable=False),
    Column("message_en", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_dq_issue_file_id", "file_id"),
)

dq_rejected_row = Table(
    "dq_rejected_row",
    metadata,
    Column("rejected_id", Integer, primary_key=True, autoincrement=True),
    Column("file_id", ForeignKey("ledger_file.file_id"), nullable=False),
    Column("source_sheet", Text, nullable=False),
    Column("source_row", Integer, nullable=False),
    Column("raw_json", Text, nullable=False),  # the row as the district wrote it
    UniqueConstraint("file_id", "source_sheet", "source_row"),
)

review_unit = Table(
    "review_unit",
    metadata,
    Column("review_id", Integer, primary_key=True, autoincrement=True),
    Column("unit_key", Text, nullable=False, unique=True),
    Column("province_raw", Text),
    Column("district_raw", Text),
    Column("commune_raw", Text),
    Column("unresolved_level", String(10)),
    Column("candidates", Text),
    Column("first_file_id", Integer),
    Column("status", String(12), nullable=False, server_default="open"),
)

review_producer_match = Table(
    "review_producer_match",
    metadata,
    Column("review_id", Integer, primary_key=True, autoincrement=True),
    Column("producer_id", ForeignKey("dim_producer.producer_id"), nullable=False),
    Column("candidate_producer_id", ForeignKey("dim_producer.producer_id"), nullable=False),
    Column("score", Float, nullable=False),
    Column("method", String(32), nullable=False),
    Column("status", String(12), nullable=False, server_default="open"),
    UniqueConstraint("producer_id", "candidate_producer_id"),
)
