#################   WARNING   ################
# The below part is generated automatically through:
#    d2lbook build lib
# Don't edit it directly

import collections
import math

import tensorflow as tf

class Model:
    """A model."""
    def __init__(self):
        self.w = 1

    def forward(self, x):
        """Defined in :numref:`sec_linear`"""
        return self.w * x

def ones(n):
    """Defined in :numref:`sec_linear`"""
    return [1] * n

def line(x, w, b):
    """Defined in :numref:`sec_linear`"""
    return w * x + b

SCALE = 2
OFFSET = 1

def ones(n):
    """Ones, again, for the other frameworks.

    Defined in :numref:`sec_linear`"""
    return [1.0] * n

class Board:
    """Nested and `or`-joined tab.selected chains, as d2l-en writes them."""
    def __init__(self):
        """Defined in :numref:`sec_linear`"""
        self.x = 1
        self.training = None

    def draw(self):
        return 'graph'