"""Draw the grid figures of the CNN chapter: cnn-correlation.svg, cnn-padding-stride.svg,
cnn-channels.svg and cnn-pooling.svg. Every output value is computed here from the input and
kernel shown, with the same arithmetic as the chapter's code."""
import os
import numpy as np

CELL = 30
FONT = 'font-family="Helvetica, Arial, sans-serif"'
HERE = os.path.dirname(os.path.abspath(__file__))
BLUE, ORANGE, GREEN, GRAY = '#dbeafe', '#fde68a', '#d1fae5', '#f3f4f6'


def corr2d(X, K, stride=1):
    """Cross-correlation of the matrix X with the kernel K."""
    h, w = K.shape
    rows = (X.shape[0] - h) // stride + 1
    cols = (X.shape[1] - w) // stride + 1
    return np.array([[(X[i * stride:i * stride + h, j * stride:j * stride + w] * K).sum()
                      for j in range(cols)] for i in range(rows)])


def pool2d(X, size, mode):
    h, w = size
    f = np.max if mode == 'max' else np.mean
    return np.array([[f(X[i:i + h, j:j + w]) for j in range(X.shape[1] - w + 1)]
                     for i in range(X.shape[0] - h + 1)])


def fmt(v):
    return str(int(v)) if float(v).is_integer() else f'{v:g}'


def grid(x, y, M, fill, marked=(), mark_fill=None, padded=0, title=None, cw=CELL):
    """SVG of matrix M with its top left corner at (x, y); `marked` cells are highlighted;
    the outer `padded` rings of cells are drawn as padding."""
    out = []
    rows, cols = M.shape
    for i in range(rows):
        for j in range(cols):
            pad = (i < padded or j < padded or i >= rows - padded or j >= cols - padded)
            color = mark_fill if (i, j) in marked else (GRAY if pad else fill)
            dash = ' stroke-dasharray="3,2"' if pad else ''
            out.append(f'<rect x="{x + j * cw}" y="{y + i * CELL}" width="{cw}" '
                       f'height="{CELL}" fill="{color}" stroke="#374151" '
                       f'stroke-width="1"{dash}/>')
            out.append(f'<text x="{x + j * cw + cw / 2}" y="{y + i * CELL + CELL / 2 + 5}" '
                       f'font-size="14" text-anchor="middle">{fmt(M[i, j])}</text>')
    if title:
        out.append(f'<text x="{x + cols * cw / 2}" y="{y - 10}" font-size="13" '
                   f'text-anchor="middle" fill="#374151">{title}</text>')
    return out


def symbol(x, y, s):
    return [f'<text x="{x}" y="{y}" font-size="22" text-anchor="middle">{s}</text>']


def save(name, width, height, parts, caption=None):
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" {FONT}>',
           '<rect width="100%" height="100%" fill="white"/>'] + parts
    if caption:
        svg.append(f'<text x="{width / 2}" y="{height - 10}" font-size="12" '
                   f'text-anchor="middle" fill="#6b7280">{caption}</text>')
    svg.append('</svg>')
    with open(os.path.join(HERE, name), 'w') as f:
        f.write('\n'.join(svg) + '\n')


def window(i, j, h, w, offset=(0, 0)):
    return {(i + a + offset[0], j + b + offset[1]) for a in range(h) for b in range(w)}


# Cross-correlation: a 3 x 4 input, a 2 x 2 kernel, a 2 x 3 output
X = np.array([[1, 3, 0, 2], [2, 1, 1, 0], [0, 2, 3, 1]])
K = np.array([[2, 0], [1, -1]])
Y = corr2d(X, K)
y0 = 40
parts = grid(20, y0, X, BLUE, window(0, 0, 2, 2), ORANGE, title='input')
parts += symbol(160, y0 + 50, '⋆')
parts += grid(185, y0 + 15, K, ORANGE, title='kernel')
parts += symbol(270, y0 + 50, '=')
parts += grid(295, y0 + 15, Y, GREEN, {(0, 0)}, ORANGE, title='output')
save('cnn-correlation.svg', 400, 165, parts,
     caption=f'{X[0, 0]}·{K[0, 0]} + {X[0, 1]}·{K[0, 1]} + {X[1, 0]}·{K[1, 0]} + '
             f'{X[1, 1]}·({K[1, 1]}) = {fmt(Y[0, 0])}')

# Padding and stride: a 3 x 3 input padded by 1, a 2 x 2 kernel; stride 1, then stride 2
X = np.array([[2, 0, 1], [1, 3, 0], [0, 1, 2]])
K = np.array([[1, 0], [1, 1]])
P = np.pad(X, 1)
Y1, Y2 = corr2d(P, K), corr2d(P, K, stride=2)
parts = grid(20, 40, P, BLUE, window(0, 2, 2, 2), ORANGE, padded=1,
             title='padded input')
parts += symbol(190, 115, '⋆')
parts += grid(215, 85, K, ORANGE, title='kernel')
parts += symbol(300, 115, '=')
parts += grid(325, 40, Y1, GREEN, {(0, 2)}, ORANGE, title='stride 1: 4 × 4')
parts += grid(490, 70, Y2, GREEN, {(0, 1)}, ORANGE, title='stride 2: 2 × 2')
parts.append('<text x="20" y="215" font-size="12" fill="#374151">'
             f'highlighted window: {P[0, 2]}·{K[0, 0]} + {P[0, 3]}·{K[0, 1]} + '
             f'{P[1, 2]}·{K[1, 0]} + {P[1, 3]}·{K[1, 1]} = {fmt(Y2[0, 1])}</text>')
save('cnn-padding-stride.svg', 600, 235, parts)

# Two input channels: correlate each with its own kernel and add the results
X0 = np.array([[1, 0, 2], [3, 1, 0], [0, 2, 1]])
X1 = np.array([[0, 1, 1], [2, 0, 3], [1, 1, 0]])
K0 = np.array([[1, 2], [0, 1]])
K1 = np.array([[2, 0], [1, 1]])
Y = corr2d(X0, K0) + corr2d(X1, K1)
parts = grid(20, 40, X0, BLUE, window(0, 0, 2, 2), ORANGE, title='input channel 0')
parts += symbol(135, 90, '⋆')
parts += grid(155, 55, K0, ORANGE, title='kernel channel 0')
parts += grid(20, 170, X1, BLUE, window(0, 0, 2, 2), ORANGE, title='input channel 1')
parts += symbol(135, 220, '⋆')
parts += grid(155, 185, K1, ORANGE, title='kernel channel 1')
parts += symbol(185, 160, '+')
parts += symbol(260, 160, '=')
parts += grid(290, 123, Y, GREEN, {(0, 0)}, ORANGE, title='output')
parts.append('<text x="20" y="290" font-size="12" fill="#374151">'
             f'({X0[0, 0]}·{K0[0, 0]} + {X0[0, 1]}·{K0[0, 1]} + {X0[1, 0]}·{K0[1, 0]} + '
             f'{X0[1, 1]}·{K0[1, 1]}) + ({X1[0, 0]}·{K1[0, 0]} + {X1[0, 1]}·{K1[0, 1]} + '
             f'{X1[1, 0]}·{K1[1, 0]} + {X1[1, 1]}·{K1[1, 1]}) = {fmt(Y[0, 0])}</text>')
save('cnn-channels.svg', 420, 305, parts)

# Pooling: 2 x 2 max and average pooling with stride 1 of a 3 x 4 input
X = np.array([[4, 1, 0, 2], [3, 2, 6, 1], [0, 5, 1, 3]])
M, A = pool2d(X, (2, 2), 'max'), pool2d(X, (2, 2), 'avg')
parts = grid(20, 40, X, BLUE, window(0, 1, 2, 2), ORANGE, title='input')
parts += symbol(165, 90, '→')
parts += grid(195, 55, M, GREEN, {(0, 1)}, ORANGE, title='2 × 2 max pooling')
parts += grid(335, 55, A, GREEN, {(0, 1)}, ORANGE, title='2 × 2 average pooling',
              cw=44)
save('cnn-pooling.svg', 490, 165, parts,
     caption=f'max({X[0, 1]}, {X[0, 2]}, {X[1, 1]}, {X[1, 2]}) = {fmt(M[0, 1])}; '
             f'mean = {fmt(A[0, 1])}')
