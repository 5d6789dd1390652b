"""Performance benchmark: the naive script, the floor and the real pipeline (``make bench``).

``python -m benchmarks.run --help``; results are printed as a table and written to
``bench-out/`` (gitignored). See the README's "Performance" section.
"""
