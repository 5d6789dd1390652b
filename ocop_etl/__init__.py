"""OCOP ETL: district/province OCOP rating workbooks → one national star-schema warehouse.

The data path, top to bottom (each step a plain function; ``flows/`` only orchestrates):

    extract.read_report(path)            workbook → rows with file/sheet/Excel-row lineage
    schemas.validate_rows(rows)          pandera rules → Issue records (every problem, one pass)
    transforms.normalize.to_canonical()  stars, scores, dates, producers, admin units
    load.loader.load_file(...)           one transaction per file into the warehouse
"""

__version__ = "0.1.0"
