"""Reference data the warehouse joins against: administrative units and product groups.

- ``admin_units``: ``AdminResolver`` turns the province/district/commune cells of a report row
  into official units (pre-2025 or 2025 scheme) and today's province/commune.
- ``admin_dimension``: ``reference_tables()`` builds ``dim_admin_unit`` and ``bridge_admin_2025``.
- ``product_groups``: OCOP product groups of both taxonomies.
"""
