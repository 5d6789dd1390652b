"""Pure normalization functions: text, legacy fonts, stars, scores, dates, producer names.

Every function here takes a cell value (or a column of them) and returns a value or a frozen
reading; none does I/O, touches settings, the database or Prefect. Parsers never raise on bad
input: they return a reading whose ``error`` is a stable code from ``ocop_etl.issues``.
"""
