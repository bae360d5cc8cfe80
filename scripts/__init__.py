"""The toolchain of the book: one module per pipeline stage, run as ``python -m scripts <command>``."""
