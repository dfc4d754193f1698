"""Councils: software for workers' democracy run as nested, recallable councils."""

__version__ = "0.1.0"
