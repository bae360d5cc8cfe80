# Generated from book/ by `python -m scripts lib`: do not edit by hand.
# Change the #@save code in the book and regenerate; `make test` fails when this file drifts.
"""The d2l library for TensorFlow: the code the book saves with #@save, in reading order."""
import sys

d2l = sys.modules[__name__]
