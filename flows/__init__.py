"""Prefect flows: orchestration only. Every task body is one call into ``ocop_etl``."""
