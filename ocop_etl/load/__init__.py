"""The warehouse: table metadata, migrations runner, per-file transactional loader."""
