"""Builds media._fanout, the one C extension (the SFU's per-subscriber send path).

Everything else about the package is in pyproject.toml. The extension is optional:
without a C compiler the install still succeeds and media/ uses its pure-Python
path (same packets, more CPU per forwarded frame; see docs/benchmarks-sfu.md).
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("media._fanout", ["media/_fanout.c"], optional=True)])
