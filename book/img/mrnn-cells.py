"""Draw the figures of the modern RNN chapter (mrnn-*.svg): the LSTM and
GRU cells, a deep (stacked) RNN and a bidirectional RNN.

Run from the repository root: python book/img/mrnn-cells.py
"""
EDGE, GATE, NODE, OP = '#374151', '#fde68a', '#d1fae5', '#fff'
STATE = '#2563eb'
ARROW = ('<defs><marker id="a" viewBox="0 0 10 10" refX="9" refY="5" '
         'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
         f'<path d="M 0 0 L 10 5 L 0 10 z" fill="{EDGE}"/></marker></defs>')


class Drawing:
    """A list of SVG elements, written out by `save`."""
    def __init__(self, width, height):
        self.width, self.height, self.parts = width, height, [ARROW]

    def box(self, cx, cy, label, fill, w=70, h=30):
        self.parts.append(
            f'<rect x="{cx - w / 2}" y="{cy - h / 2}" width="{w}" '
            f'height="{h}" rx="4" fill="{fill}" stroke="{EDGE}"/>')
        self.text(cx, cy + 4, label)

    def op(self, cx, cy, symbol, r=10):
        """An elementwise operation: a small circle with its symbol."""
        self.parts.append(f'<circle cx="{cx}" cy="{cy}" r="{r}" '
                          f'fill="{OP}" stroke="{EDGE}"/>')
        self.text(cx, cy + 5, symbol, size=14)

    def text(self, x, y, s, size=12, anchor='middle', italic=False):
        style = ' font-style="italic"' if italic else ''
        self.parts.append(f'<text x="{x}" y="{y}" font-size="{size}" '
                          f'text-anchor="{anchor}" fill="{EDGE}"{style}>'
                          f'{s}</text>')

    def line(self, points, arrow=True, color=EDGE, width=1.3):
        d = ' '.join(f'{x},{y}' for x, y in points)
        end = ' marker-end="url(#a)"' if arrow else ''
        self.parts.append(f'<polyline points="{d}" fill="none" '
                          f'stroke="{color}" stroke-width="{width}"{end}/>')

    def save(self, path):
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" '
                f'width="{self.width}" height="{self.height}" '
                f'viewBox="0 0 {self.width} {self.height}" '
                f'font-family="Helvetica, Arial, sans-serif">\n'
                f'<rect width="100%" height="100%" fill="white"/>\n')
        with open(path, 'w') as f:
            f.write(head + '\n'.join(self.parts) + '\n</svg>\n')


def sub(name, index):
    """A symbol with a subscript, e.g. sub('C', 't-1')."""
    return f'{name}<tspan baseline-shift="sub" font-size="9">{index}</tspan>'


def legend(d, y):
    d.box(60, y, 'σ', GATE, w=30, h=18)
    d.text(82, y + 4, 'dense layer, sigmoid', anchor='start')
    d.box(240, y, 'tanh', NODE, w=40, h=18)
    d.text(267, y + 4, 'dense layer, tanh', anchor='start')
    d.op(410, y, '×', r=8)
    d.text(424, y + 4, 'elementwise', anchor='start')


def lstm_cell(path):
    d = Drawing(560, 380)
    # The memory cell along the top: scaled by the forget gate, added to.
    d.text(18, 64, sub('C', 't-1'), anchor='start')
    d.line([(50, 60), (140, 60)], color=STATE, width=2)
    d.op(150, 60, '×')
    d.line([(160, 60), (290, 60)], color=STATE, width=2)
    d.op(300, 60, '+')
    d.line([(310, 60), (520, 60)], color=STATE, width=2)
    d.text(528, 64, sub('C', 't'), anchor='start')
    # The inputs: H_{t-1} from the left and X_t from below, on one bus.
    d.text(18, 284, sub('H', 't-1'), anchor='start')
    d.line([(50, 280), (420, 280)], arrow=False)
    d.text(100, 334, sub("X", "t"))
    d.line([(100, 320), (100, 282)])
    gates = [(150, 'σ', GATE, 'forget gate ' + sub('F', 't')),
             (230, 'σ', GATE, 'input gate ' + sub('I', 't')),
             (310, 'tanh', NODE, 'input node'),
             (420, 'σ', GATE, 'output gate ' + sub('O', 't'))]
    for x, label, fill, name in gates:
        d.line([(x, 280), (x, 217)])
        d.box(x, 200, label, fill, w=56)
        d.text(x, 240, name, size=10)
    d.line([(150, 185), (150, 70)])                 # F_t scales C_{t-1}
    d.op(310, 130, '×')                              # I_t times the node
    d.line([(230, 185), (230, 130), (300, 130)])
    d.line([(310, 185), (310, 140)])
    d.line([(310, 120), (300, 70)])
    # The hidden state: tanh of the cell, times the output gate.
    d.line([(480, 60), (480, 88)])
    d.box(480, 104, 'tanh', OP, w=44, h=26)
    d.line([(480, 117), (480, 150)])
    d.op(480, 160, '×')
    d.line([(420, 185), (420, 160), (470, 160)])
    d.line([(480, 170), (480, 280), (520, 280)], color=STATE, width=2)
    d.text(528, 284, sub('H', 't'), anchor='start')
    legend(d, 362)
    d.save(path)


def gru_cell(path):
    d = Drawing(560, 400)
    # The hidden state along the top: mixed with the candidate.
    d.text(18, 64, sub('H', 't-1'), anchor='start')
    d.line([(50, 60), (340, 60)], color=STATE, width=2)
    d.op(350, 60, '×')
    d.line([(360, 60), (440, 60)], color=STATE, width=2)
    d.op(450, 60, '+')
    d.line([(460, 60), (520, 60)], color=STATE, width=2)
    d.text(528, 64, sub('H', 't'), anchor='start')
    # H_{t-1} and X_t on one bus to the gates; X_t alone to the candidate.
    d.line([(60, 60), (60, 280), (350, 280)], arrow=False)
    d.text(270, 358, sub('X', 't'))
    d.line([(270, 344), (270, 217)])
    d.line([(270, 305), (80, 305), (80, 282)])
    gates = [(130, 'σ', GATE, 'reset gate ' + sub('R', 't')),
             (350, 'σ', GATE, 'update gate ' + sub('Z', 't'))]
    for x, label, fill, name in gates:
        d.line([(x, 280), (x, 217)])
        d.box(x, 200, label, fill, w=56)
        d.text(x, 240, name, size=10)
    d.box(270, 200, 'tanh', NODE, w=56)
    d.text(270, 240, 'candidate', size=10)
    d.op(130, 140, '×')                         # R_t times H_{t-1}
    d.line([(130, 60), (130, 130)])
    d.line([(130, 185), (130, 150)])
    d.line([(140, 140), (200, 140), (200, 200), (240, 200)])
    d.line([(350, 185), (350, 70)])             # Z_t scales H_{t-1}
    d.op(410, 150, '1−', r=12)
    d.line([(350, 150), (398, 150)])
    d.op(450, 100, '×')                         # (1 - Z_t) times candidate
    d.line([(270, 185), (270, 100), (440, 100)])
    d.line([(422, 150), (450, 150), (450, 110)])
    d.line([(450, 90), (450, 70)])
    legend(d, 384)
    d.save(path)


def state(name, t, layer=None):
    """H with time subscript t and, optionally, a layer superscript."""
    s = sub(name, t)
    if layer is not None:
        s += (f'<tspan baseline-shift="super" font-size="9" dx="1">'
              f'({layer})</tspan>')
    return s


def deep_rnn(path, num_layers=3, num_steps=4):
    """A grid of hidden states: time runs to the right, layers upwards."""
    dx, dy, x0 = 120, 70, 110
    y_in = 70 + dy * (num_layers + 1)
    d = Drawing(x0 + dx * num_steps + 20, y_in + 40)
    for t in range(num_steps):
        x = x0 + dx * t
        d.text(x, y_in + 4, sub('X', t + 1))
        d.line([(x, y_in - 12), (x, y_in - dy + 16)])
        for l in range(num_layers):
            y = y_in - dy * (l + 1)
            d.box(x, y, state('H', t + 1, l + 1), NODE, w=64)
            if l < num_layers - 1:
                d.line([(x, y - 15), (x, y - dy + 15)])
            if t < num_steps - 1:
                d.line([(x + 32, y), (x + dx - 32, y)], color=STATE,
                       width=2)
        y_top = y_in - dy * num_layers
        d.line([(x, y_top - 15), (x, y_top - dy + 22)])
        d.box(x, y_top - dy + 8, sub('O', t + 1), GATE, w=40, h=26)
    for l in range(num_layers):
        y = y_in - dy * (l + 1)
        d.text(20, y + 4, f'layer {l + 1}', anchor='start')
    d.save(path)


def bi_rnn(path, num_steps=4):
    """A forward and a backward row of hidden states, both read every
    input, and every output reads both."""
    dx, x0, y_out, y_b, y_f, y_in = 120, 130, 40, 120, 200, 280
    d = Drawing(x0 + dx * num_steps, y_in + 30)
    d.text(20, y_f + 4, 'forward', anchor='start')
    d.text(20, y_b + 4, 'backward', anchor='start')
    fwd = lambda t: (f'H<tspan baseline-shift="super" font-size="9">→'
                     f'</tspan>' + f'<tspan baseline-shift="sub" '
                     f'font-size="9">{t}</tspan>')
    bwd = lambda t: fwd(t).replace('→', '←')
    for t in range(num_steps):
        x = x0 + dx * t
        d.text(x, y_in + 4, sub('X', t + 1))
        d.line([(x, y_in - 12), (x, y_f + 15)])
        d.line([(x - 6, y_in - 12), (x - 42, y_in - 30), (x - 42, y_b + 8),
                (x - 28, y_b + 8)])
        d.box(x, y_f, fwd(t + 1), NODE, w=56)
        d.box(x, y_b, bwd(t + 1), NODE, w=56)
        if t < num_steps - 1:
            d.line([(x + 28, y_f), (x + dx - 28, y_f)], color=STATE, width=2)
            d.line([(x + dx - 28, y_b - 6), (x + 28, y_b - 6)],
                   color=STATE, width=2)
        d.line([(x + 20, y_f - 15), (x + 40, y_f - 30), (x + 40, y_out + 24),
                (x + 30, y_out + 14)])
        d.line([(x, y_b - 15), (x, y_out + 13)])
        d.box(x + 6, y_out, sub('O', t + 1), GATE, w=56, h=26)
    d.save(path)


if __name__ == '__main__':
    lstm_cell('book/img/mrnn-lstm-cell.svg')
    gru_cell('book/img/mrnn-gru-cell.svg')
    deep_rnn('book/img/mrnn-deep-rnn.svg')
    bi_rnn('book/img/mrnn-bi-rnn.svg')
