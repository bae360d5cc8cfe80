"""Draw the block diagrams of the modern CNN chapter (mcnn-*.svg).

Run from the repository root: python book/img/mcnn-blocks.py
"""
EDGE, CONV, NORM, ACT, ADD = '#374151', '#dbeafe', '#fde68a', '#d1fae5', '#fff'
FONT = 'font-family="Helvetica, Arial, sans-serif"'
ARROW = ('<defs><marker id="a" viewBox="0 0 10 10" refX="9" refY="5" '
         'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
         f'<path d="M 0 0 L 10 5 L 0 10 z" fill="{EDGE}"/></marker></defs>')


class Drawing:
    def __init__(self, width, height):
        self.width, self.height, self.parts = width, height, [ARROW]

    def box(self, cx, cy, label, fill, w=120, h=24):
        self.parts.append(
            f'<rect x="{cx - w / 2}" y="{cy - h / 2}" width="{w}" '
            f'height="{h}" rx="4" fill="{fill}" stroke="{EDGE}"/>')
        self.text(cx, cy + 4, label)

    def text(self, x, y, s, size=12, anchor='middle'):
        self.parts.append(f'<text x="{x}" y="{y}" font-size="{size}" '
                          f'text-anchor="{anchor}" fill="{EDGE}">{s}</text>')

    def line(self, points, arrow=True):
        d = ' '.join(f'{x},{y}' for x, y in points)
        end = ' marker-end="url(#a)"' if arrow else ''
        self.parts.append(f'<polyline points="{d}" fill="none" '
                          f'stroke="{EDGE}" stroke-width="1.3"{end}/>')

    def plus(self, cx, cy, r=10):
        self.parts.append(f'<circle cx="{cx}" cy="{cy}" r="{r}" '
                          f'fill="{ADD}" stroke="{EDGE}"/>')
        self.text(cx, cy + 5, '+', size=16)

    def save(self, name):
        with open(f'book/img/{name}', 'w') as f:
            f.write(f'<svg xmlns="http://www.w3.org/2000/svg" '
                    f'width="{self.width}" height="{self.height}" '
                    f'viewBox="0 0 {self.width} {self.height}" {FONT}>\n'
                    '<rect width="100%" height="100%" fill="white"/>\n'
                    + '\n'.join(self.parts) + '\n</svg>\n')


def column(d, cx, labels, top=40, step=36):
    """Boxes from top to bottom joined by arrows; returns their centers."""
    ys = [top + i * step for i in range(len(labels))]
    for (label, fill), y in zip(labels, ys):
        d.box(cx, y, label, fill)
    for y0, y1 in zip(ys, ys[1:]):
        d.line([(cx, y0 + 12), (cx, y1 - 12)])
    return ys


def residual():
    d = Drawing(580, 330)
    for cx, project in [(120, False), (370, True)]:
        d.text(cx, 18, 'input x')
        branch = [('3×3 conv' + (', stride s' if project else ''), CONV),
                  ('batch norm', NORM), ('ReLU', ACT), ('3×3 conv', CONV),
                  ('batch norm', NORM)]
        ys = column(d, cx, branch, top=56)
        d.line([(cx, 24), (cx, 44)])
        plus_y = ys[-1] + 40
        d.plus(cx, plus_y)
        d.line([(cx, ys[-1] + 12), (cx, plus_y - 10)])
        relu_y = plus_y + 36
        d.box(cx, relu_y, 'ReLU', ACT)
        d.line([(cx, plus_y + 10), (cx, relu_y - 12)])
        d.line([(cx, relu_y + 12), (cx, relu_y + 30)])
        side = cx + (135 if project else 95)
        if project:
            d.box(side, 140, '1×1 conv, stride s', CONV, w=110)
            d.box(side, 176, 'batch norm', NORM, w=110)
            d.line([(cx, 32), (side, 32), (side, 128)])
            d.line([(side, 152), (side, 164)])
            d.line([(side, 188), (side, plus_y), (cx + 10, plus_y)])
        else:
            d.line([(cx, 32), (side - 25, 32), (side - 25, plus_y),
                    (cx + 10, plus_y)])
        d.text(cx, relu_y + 44, 'output f(x)')
    d.save('mcnn-residual.svg')


def resnet():
    d = Drawing(660, 130)
    stages = [('input', '1, 28×28', ADD),
              ('3×3 conv, BN, ReLU, 2×2 max pool', '16, 14×14', CONV),
              ('residual block', '16, 14×14', NORM),
              ('residual block, stride 2', '32, 7×7', NORM),
              ('residual block, stride 2', '64, 4×4', NORM),
              ('global, average pool', '64', ACT),
              ('fully, connected', '10', ACT)]
    x, w, gap = 10, 84, 10
    for i, (name, shape, fill) in enumerate(stages):
        d.parts.append(f'<rect x="{x}" y="30" width="{w}" height="56" '
                       f'rx="4" fill="{fill}" stroke="{EDGE}"/>')
        words = name.split(', ')
        for j, word in enumerate(words):
            d.text(x + w / 2, 50 + 14 * j - 7 * (len(words) - 1) + 7, word,
                   size=10)
        d.text(x + w / 2, 104, shape, size=11)
        if i:
            d.line([(x - gap, 58), (x, 58)])
        x += w + gap
    d.text(330, 124, 'channels, height × width of each output', size=11)
    d.save('mcnn-resnet.svg')


def resnext():
    d = Drawing(520, 300)
    cx = 230
    d.text(cx, 18, 'input x (c channels)')
    d.box(cx, 56, '1×1 conv to b channels, BN, ReLU', CONV, w=230)
    d.line([(cx, 24), (cx, 44)])
    xs = [cx - 90, cx - 30, cx + 30, cx + 90]
    labels = ['3×3, b/g', '3×3, b/g', '…', '3×3, b/g']
    for x, label in zip(xs, labels):
        d.box(x, 120, label, CONV, w=56)
        d.line([(x, 68), (x, 108)])
        d.line([(x, 132), (x, 172)])
    d.text(cx - 128, 116, 'g groups', size=11, anchor='end')
    d.text(cx - 128, 130, '(cardinality)', size=11, anchor='end')
    d.box(cx, 184, 'concatenate, BN, ReLU', NORM, w=230)
    d.box(cx, 220, '1×1 conv to c channels, BN', CONV, w=230)
    d.line([(cx, 196), (cx, 208)])
    d.plus(cx, 256)
    d.line([(cx, 232), (cx, 246)])
    d.line([(cx, 32), (cx + 160, 32), (cx + 160, 256), (cx + 10, 256)])
    d.text(cx + 166, 150, 'shortcut', size=11, anchor='start')
    d.line([(cx, 266), (cx, 286)])
    d.text(cx + 12, 292, 'ReLU, output', size=11, anchor='start')
    d.save('mcnn-resnext.svg')


def vgg():
    d = Drawing(660, 170)
    cx = 90
    d.text(cx, 18, 'VGG block')
    ys = column(d, cx, [('3×3 conv, pad 1', CONV), ('ReLU', ACT),
                        ('2×2 max pool, s 2', NORM)], top=50, step=44)
    d.line([(cx, 24), (cx, 38)])
    d.parts.append(f'<rect x="{cx - 70}" y="{ys[0] - 20}" width="140" '
                   f'height="{ys[1] - ys[0] + 40}" fill="none" '
                   f'stroke="{EDGE}" stroke-dasharray="4 3"/>')
    d.text(cx + 74, ys[0] + 22, '× n', anchor='start')
    stages = [(['input'], '1, 28×28', ADD),
              (['block', '(1, 16)'], '16, 14×14', NORM),
              (['block', '(1, 32)'], '32, 7×7', NORM),
              (['block', '(2, 64)'], '64, 3×3', NORM),
              (['dense 256', 'dropout'], '256', ACT),
              (['dense 256', 'dropout'], '256', ACT),
              (['dense 10'], '10', ACT)]
    x, w, gap = 190, 58, 9
    for i, (name, shape, fill) in enumerate(stages):
        d.parts.append(f'<rect x="{x}" y="60" width="{w}" height="56" '
                       f'rx="4" fill="{fill}" stroke="{EDGE}"/>')
        words = name
        for j, word in enumerate(words):
            d.text(x + w / 2, 92 + 14 * j - 7 * (len(words) - 1), word,
                   size=10)
        d.text(x + w / 2, 134, shape, size=11)
        if i:
            d.line([(x - gap, 88), (x, 88)])
        x += w + gap
    d.text(420, 40, 'our scaled VGG')
    d.save('mcnn-vgg.svg')


def alexnet():
    d = Drawing(680, 250)
    rows = [
        ('AlexNet :  224×224×3', 30,
         [(['11×11, 96', 's 4'], '55×55'), (['max pool', '3, s 2'], '27×27'),
          (['5×5, 256'], '27×27'), (['max pool', '3, s 2'], '13×13'),
          (['3×3, 384'], '13×13'), (['3×3, 384'], '13×13'),
          (['3×3, 256'], '13×13'), (['max pool', '3, s 2'], '6×6'),
          (['dense', '4096'], ''), (['dense', '4096'], ''),
          (['dense', '1000'], '')]),
        ('ours :  64×64×1', 140,
         [(['11×11, 12', 's 4, pad 2'], '15×15'),
          (['max pool', '3, s 2'], '7×7'),
          (['5×5, 32'], '7×7'), (['max pool', '3, s 2'], '3×3'),
          (['3×3, 48'], '3×3'), (['3×3, 48'], '3×3'),
          (['3×3, 32'], '3×3'), (['max pool', '3, s 2'], '1×1'),
          (['dense', '256'], ''), (['dense', '256'], ''),
          (['dense', '10'], '')])]
    for title, y, boxes in rows:
        d.text(10, y + 4, title.replace(' :', ':'), anchor='start')
        x, w, gap = 10, 54, 7
        for i, (lines, size) in enumerate(boxes):
            fill = CONV if lines[0][0].isdigit() and '×' in lines[0] else (
                NORM if lines[0] == 'max pool' else ACT)
            d.parts.append(f'<rect x="{x}" y="{y + 16}" width="{w}" '
                           f'height="44" rx="4" fill="{fill}" '
                           f'stroke="{EDGE}"/>')
            for j, line in enumerate(lines):
                d.text(x + w / 2, y + 42 + 13 * j - 6.5 * (len(lines) - 1),
                       line, size=9.5)
            d.text(x + w / 2, y + 76, size, size=10)
            if i:
                d.line([(x - gap, y + 38), (x, y + 38)])
            x += w + gap
    d.text(340, 240, 'kernel, channels (s: stride) and output size of each '
           'layer; every convolution and dense layer but the last has a ReLU',
           size=10)
    d.save('mcnn-alexnet.svg')


def nin():
    d = Drawing(660, 180)
    cx = 80
    d.text(cx, 18, 'NiN block')
    column(d, cx, [('k×k conv, ReLU', CONV), ('1×1 conv, ReLU', ACT),
                   ('1×1 conv, ReLU', ACT)], top=50, step=44)
    d.line([(cx, 24), (cx, 38)])
    # Colors as in the AlexNet and VGG figures: convolutions blue, pooling
    # yellow; the last block's last 1 x 1 convolution has no ReLU (scores)
    stages = [(['input'], '1, 28×28', ADD),
              (['NiN 5×5', '16'], '16, 28×28', CONV),
              (['max pool 3', 's 2, dropout'], '16, 13×13', NORM),
              (['NiN 3×3', '32'], '32, 13×13', CONV),
              (['max pool 3', 's 2, dropout'], '32, 6×6', NORM),
              (['NiN 3×3', '10, no', 'last ReLU'], '10, 6×6', CONV),
              (['global', 'avg pool'], '10', ACT)]
    x, w, gap = 170, 62, 8
    for i, (lines, shape, fill) in enumerate(stages):
        d.parts.append(f'<rect x="{x}" y="60" width="{w}" height="56" '
                       f'rx="4" fill="{fill}" stroke="{EDGE}"/>')
        for j, line in enumerate(lines):
            d.text(x + w / 2, 92 + 14 * j - 7 * (len(lines) - 1), line,
                   size=10)
        d.text(x + w / 2, 134, shape, size=11)
        if i:
            d.line([(x - gap, 88), (x, 88)])
        x += w + gap
    d.text(410, 40, 'our scaled NiN')
    d.text(410, 166, 'channels, height × width of each output', size=11)
    d.save('mcnn-nin.svg')


residual()
resnet()
nin()
alexnet()
resnext()
vgg()
