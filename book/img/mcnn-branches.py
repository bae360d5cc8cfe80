"""Draw the figures of the GoogLeNet, DenseNet and design-space sections
(mcnn-inception.svg, mcnn-googlenet.svg, mcnn-dense.svg, mcnn-densenet.svg,
mcnn-anynet.svg).

Run from the repository root: python book/img/mcnn-branches.py
"""
EDGE, CONV, NORM, ACT, ADD = '#374151', '#dbeafe', '#fde68a', '#d1fae5', '#fff'
POOL = '#fce7f3'
FONT = 'font-family="Helvetica, Arial, sans-serif"'
ARROW = ('<defs><marker id="a" viewBox="0 0 10 10" refX="9" refY="5" '
         'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
         f'<path d="M 0 0 L 10 5 L 0 10 z" fill="{EDGE}"/></marker></defs>')


class Drawing:
    """An SVG canvas with boxes, text and arrows."""
    def __init__(self, width, height):
        self.width, self.height, self.parts = width, height, [ARROW]

    def box(self, cx, cy, label, fill, w=120, h=24, size=12):
        self.parts.append(
            f'<rect x="{cx - w / 2}" y="{cy - h / 2}" width="{w}" '
            f'height="{h}" rx="4" fill="{fill}" stroke="{EDGE}"/>')
        self.text(cx, cy + 4, label, size=size)

    def text(self, x, y, s, size=12, anchor='middle'):
        self.parts.append(f'<text x="{x}" y="{y}" font-size="{size}" '
                          f'text-anchor="{anchor}" fill="{EDGE}">{s}</text>')

    def line(self, points, arrow=True, dash=False):
        d = ' '.join(f'{x},{y}' for x, y in points)
        end = ' marker-end="url(#a)"' if arrow else ''
        style = ' stroke-dasharray="4,3"' if dash else ''
        self.parts.append(f'<polyline points="{d}" fill="none" '
                          f'stroke="{EDGE}" stroke-width="1.3"{end}{style}/>')

    def save(self, name):
        with open(f'book/img/{name}', 'w') as f:
            f.write(f'<svg xmlns="http://www.w3.org/2000/svg" '
                    f'width="{self.width}" height="{self.height}" '
                    f'viewBox="0 0 {self.width} {self.height}" {FONT}>\n'
                    '<rect width="100%" height="100%" fill="white"/>\n'
                    + '\n'.join(self.parts) + '\n</svg>\n')


def inception():
    d = Drawing(600, 250)
    cx = 300
    d.box(cx, 24, 'input (cᵢ channels)', ADD, w=170)
    xs = [90, 230, 370, 510]
    columns = [[('1×1 conv, c₁', CONV)],
               [('1×1 conv, c₂′', CONV), ('3×3 conv, c₂', CONV)],
               [('1×1 conv, c₃′', CONV), ('5×5 conv, c₃', CONV)],
               [('3×3 max pool', POOL), ('1×1 conv, c₄', CONV)]]
    for x, boxes in zip(xs, columns):
        d.line([(cx, 36), (cx, 54), (x, 54), (x, 80)])
        ys = [92, 148][-len(boxes):] if len(boxes) == 1 else [92, 148]
        if len(boxes) == 1:
            ys = [120]
            d.line([(x, 80), (x, 108)], arrow=False)
        for (label, fill), y in zip(boxes, ys):
            d.box(x, y, label, fill, w=116)
        if len(boxes) == 2:
            d.line([(x, 104), (x, 136)])
        d.line([(x, ys[-1] + 12), (x, 196), (cx, 196), (cx, 204)],
               arrow=x == xs[0])
    d.box(cx, 216, 'concatenate: c₁ + c₂ + c₃ + c₄ channels', NORM, w=300)
    d.text(cx, 246, 'every branch keeps the height and width', size=11)
    d.save('mcnn-inception.svg')


def row(d, stages, y, x=10, w=84, gap=10, h=64):
    """Boxes side by side joined by arrows, with a shape below each; the
    lines of a box's label are separated by '|'."""
    for i, (name, shape, fill) in enumerate(stages):
        d.parts.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" '
                       f'rx="4" fill="{fill}" stroke="{EDGE}"/>')
        lines = name.split('|')
        for j, line in enumerate(lines):
            d.text(x + w / 2, y + h / 2 + 4 + 13 * j - 6.5 * (len(lines) - 1),
                   line, size=10)
        d.text(x + w / 2, y + h + 18, shape, size=11)
        if i:
            d.line([(x - gap, y + h / 2), (x, y + h / 2)])
        x += w + gap


def googlenet():
    d = Drawing(680, 140)
    row(d, [('input', '1, 28×28', ADD),
            ('stem|3×3 conv, s 2|max pool|1×1 conv|3×3 conv', '48, 7×7', CONV),
            ('stage 3|Inception 3a', '64, 7×7', NORM),
            ('stage 4|max pool|Inception 4a', '128, 4×4', NORM),
            ('stage 5|max pool|Inception 5b', '256, 2×2', NORM),
            ('global|average pool', '256', ACT),
            ('fully|connected', '10', ACT)], y=20, w=86, h=76)
    d.text(340, 134, 'channels, height × width of each output', size=11)
    d.save('mcnn-googlenet.svg')


def dense_block():
    d = Drawing(680, 190)
    k = 14  # drawn width of k channels
    x, y = 20, 120
    widths = [28, 28 + k, 28 + 2 * k, 28 + 3 * k]
    fills = [ADD, CONV, CONV, CONV]
    names = ['x₀: c₀', 'c₀ + k', 'c₀ + 2k', 'c₀ + 3k']
    for i, width in enumerate(widths):
        # a tensor drawn as stacked slices: c0 white, then one color per layer
        d.parts.append(f'<rect x="{x}" y="{y - 20}" width="28" height="40" '
                       f'fill="{ADD}" stroke="{EDGE}"/>')
        for j in range(i):
            d.parts.append(
                f'<rect x="{x + 28 + j * k}" y="{y - 20}" width="{k}" '
                f'height="40" fill="{[CONV, ACT, POOL][j]}" '
                f'stroke="{EDGE}"/>')
        d.text(x + width / 2, y + 38, names[i], size=11)
        if i < 3:
            lx = x + width + 62
            d.box(lx, 40, 'BN, ReLU, 3×3 conv', [CONV, ACT, POOL][i], w=112,
                  size=10)
            d.text(lx, 66, f'layer {i + 1}: k channels', size=10)
            cx = x + width + 128
            d.line([(x + width / 2, y - 20), (x + width / 2, 40),
                    (lx - 56, 40)])
            d.line([(lx + 56, 40), (cx, 40), (cx, y - 12)])
            d.parts.append(f'<circle cx="{cx}" cy="{y}" r="11" fill="white" '
                           f'stroke="{EDGE}"/>')
            d.text(cx, y + 4, '∥', size=13)
            d.line([(x + width, y), (cx - 11, y)])
            d.line([(cx + 11, y), (cx + 22, y)])
            x = cx + 22
    d.text(340, 184, '∥ : concatenation along the channels; each layer reads '
           'all the channels before it', size=11)
    d.save('mcnn-dense.svg')


def densenet():
    d = Drawing(680, 140)
    row(d, [('input', '1, 28×28', ADD),
            ('stem|3×3 conv|BN, ReLU|max pool', '16, 14×14', CONV),
            ('dense block|3 layers', '52, 14×14', NORM),
            ('transition|1×1 conv|average pool', '26, 7×7', POOL),
            ('dense block|3 layers', '62, 7×7', NORM),
            ('transition|1×1 conv|average pool', '31, 3×3', POOL),
            ('dense block|3 layers', '67, 3×3', NORM)],
        y=20, w=86, h=64)
    d.text(340, 126, 'channels, height × width of each output (growth rate '
           '12); then BN, ReLU, global average pooling, linear layer',
           size=11)
    d.save('mcnn-densenet.svg')


def anynet():
    d = Drawing(680, 140)
    row(d, [('input', '1, 28×28', ADD),
            ('stem|3×3 conv, stride 2|BN, ReLU', 'w₀, 14×14', CONV),
            ('stage 1|d₁ ResNeXt blocks|width w₁|bottleneck w₁/b₁|'
             'g₁ groups', 'w₁, 7×7', NORM),
            ('stage 2|d₂ ResNeXt blocks|width w₂|bottleneck w₂/b₂|'
             'g₂ groups', 'w₂, 4×4', NORM),
            ('head|global average pool|linear', '10', ACT)],
        y=20, x=30, w=112, gap=18, h=76)
    d.text(340, 134, 'the first block of each stage has stride 2',
           size=11)
    d.save('mcnn-anynet.svg')


inception()
googlenet()
dense_block()
densenet()
anynet()
