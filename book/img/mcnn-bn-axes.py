"""Draw mcnn-bn-axes.svg: which values batch normalization averages together.

Run from the repository root: python book/img/mcnn-bn-axes.py
"""
HI, LO, EDGE = '#fde68a', '#dbeafe', '#374151'
parts = []


def rect(x, y, w, h, fill):
    parts.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" '
                 f'fill="{fill}" stroke="{EDGE}" stroke-width="1"/>')


def text(x, y, s, size=13, anchor='middle'):
    parts.append(f'<text x="{x}" y="{y}" font-size="{size}" '
                 f'text-anchor="{anchor}" fill="{EDGE}">{s}</text>')


# Left: a minibatch of m = 5 examples with d = 4 features; feature 2 shared
cell = 24
x0, y0 = 100, 50
for i in range(5):
    for j in range(4):
        rect(x0 + j * cell, y0 + i * cell, cell, cell, HI if j == 1 else LO)
text(x0 + 2 * cell, y0 - 12, 'features')
text(x0 - 12, y0 + 2.5 * cell + 4, 'examples', anchor='end')
text(x0 + 2 * cell, y0 + 5 * cell + 24, 'fully connected: one unit')

# Right: 4 examples, each 3 channels of 4 x 4 maps; channel 2 shared
px, size, step = 7, 28, 9
for e in range(4):
    ex = 290 + e * 78
    for c in reversed(range(3)):
        x, y = ex + c * step, 60 - c * step
        rect(x, y, size * 2 // 1, size * 2 // 1, HI if c == 1 else LO)
    text(ex + 36, 150, f'example {e + 1}', size=12)
text(290 + 1.5 * 78 + 36, 30, 'channels (front to back) of 4 examples')
text(290 + 1.5 * 78 + 36, 194,
     'convolutional: one channel, all examples and positions')

width, height = 640, 210
svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
       f'height="{height}" viewBox="0 0 {width} {height}" '
       'font-family="Helvetica, Arial, sans-serif">\n'
       '<rect width="100%" height="100%" fill="white"/>\n'
       + '\n'.join(parts) + '\n</svg>\n')
with open('book/img/mcnn-bn-axes.svg', 'w') as f:
    f.write(svg)
