#################   WARNING   ################
# The below part is generated automatically through:
#    d2lbook build lib
# Don't edit it directly

import collections
import math

from mxnet import np

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
    """Ones, again (a later definition replaces the earlier one).

    Defined in :numref:`sec_linear`"""
    return np.ones(n)

class Board:
    """Nested and `or`-joined tab.selected chains, as d2l-en writes them."""
    def draw(self):
        """Defined in :numref:`sec_linear`"""
        return 'eager'