"""Draw prelim-compgraph.svg: the computational graph of the loss l = (w^T x + b - y)^2.

Forward values travel left to right (black); the gradients of l that backpropagation sends back
along the same edges are written in red.  Run `python prelim-compgraph.py` in this folder to
regenerate the SVG; it needs only Python.
"""
parts = []
RED, BLACK = '#c0392b', '#222'


def box(cx, cy, label, bold=False):
    parts.append(f'<rect x="{cx - 22}" y="{cy - 15}" width="44" height="30" rx="6" '
                 'fill="#dbe8f7" stroke="#35506f" stroke-width="1.3"/>')
    text(cx, cy + 5, label, style='normal' if bold else 'italic',
         weight='bold' if bold else 'normal')


def op(cx, cy, label):
    parts.append(f'<circle cx="{cx}" cy="{cy}" r="21" fill="#fdf0d5" stroke="#8a6d1f" '
                 'stroke-width="1.3"/>')
    text(cx, cy + 5, label)


def text(x, y, s, size=14, colour=BLACK, anchor='middle', style='normal', weight='normal'):
    parts.append(f'<text x="{x}" y="{y}" text-anchor="{anchor}" font-size="{size}" '
                 f'fill="{colour}" font-style="{style}" font-weight="{weight}">{s}</text>')


def edge(x1, y1, x2, y2, above=None, below=None, dx=0, dy=0):
    parts.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{BLACK}" '
                 'stroke-width="1.4" marker-end="url(#arrow)"/>')
    mx, my = (x1 + x2) / 2 + dx, (y1 + y2) / 2 + dy
    if above:
        text(mx, my - 8, above, style='italic')
    if below:
        text(mx, my + 20, below, size=13, colour=RED)


mid = 100
box(50, 40, 'w', bold=True)
box(50, 160, 'x', bold=True)
op(180, mid, 'dot')
box(300, 200, 'b')
op(300, mid, '+')
box(420, 200, 'y')
op(420, mid, '−')
op(540, mid, '( )²')
box(650, mid, 'ℓ')

edge(72, 48, 160, 90, above=None)
text(100, 34, '2r x', size=13, colour=RED, anchor='start')
edge(72, 152, 160, 110)
text(100, 180, '2r w', size=13, colour=RED, anchor='start')
edge(201, mid, 277, mid, above='u', below='2r')
edge(300, 185, 300, 123)
text(310, 160, '2r', size=13, colour=RED, anchor='start')
edge(321, mid, 397, mid, above='z', below='2r')
edge(420, 185, 420, 123)
text(430, 160, '−2r', size=13, colour=RED, anchor='start')
edge(441, mid, 517, mid, above='r', below='2r')
edge(561, mid, 626, mid, below='1')

text(20, 245, 'black: values computed forward;  red: gradient of ℓ with respect to the '
     'value on that edge, computed backward', size=12, anchor='start')

width, height = 700, 258
svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
       f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif">\n'
       '<defs><marker id="arrow" markerWidth="10" markerHeight="8" refX="9" refY="4" '
       'orient="auto"><path d="M0,0 L10,4 L0,8 z" fill="#222"/></marker></defs>\n'
       '<rect width="100%" height="100%" fill="white"/>\n' + '\n'.join(parts) + '\n</svg>\n')
with open(__file__.replace('.py', '.svg'), 'w', encoding='utf-8') as f:
    f.write(svg)
