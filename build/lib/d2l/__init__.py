"""d2l: the library of the book, one module per framework.

Import the one you use, e.g. ``from d2l import torch as d2l``.
"""
__version__ = "0.1.0"
