"""Benchmarks: scripts that fill a database of their own and time the reads that must stay fast.

Nothing here is a test; pytest collects only ``test_*.py`` files, and no file here is named so.
"""
