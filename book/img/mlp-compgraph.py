"""Draw mlp-compgraph.svg: the computational graph of a one-hidden-layer MLP with weight decay.

Run `python mlp-compgraph.py` in this folder to regenerate the SVG; it only needs the standard
library. Squares are values (tensors), circles are operations, arrows show the forward pass.
"""

W, H = 880, 280
MAIN, TOP, BOTTOM = 130, 45, 210

values = {  # name: (x, y, label, fill)
    'X': (40, MAIN, 'X', '#dbe9f6'), 'Z': (200, MAIN, 'Z', '#eeeeee'),
    'H': (360, MAIN, 'H', '#eeeeee'), 'O': (520, MAIN, 'O', '#eeeeee'),
    'L': (680, MAIN, 'L', '#eeeeee'), 'J': (840, MAIN, 'J', '#fde2c8'),
    'b1': (120, TOP, 'b⁽¹⁾', '#d9f0d3'), 'W1': (120, BOTTOM, 'W⁽¹⁾', '#d9f0d3'),
    'b2': (440, TOP, 'b⁽²⁾', '#d9f0d3'), 'W2': (440, BOTTOM, 'W⁽²⁾', '#d9f0d3'),
    'Y': (600, TOP, 'Y', '#dbe9f6'), 'R': (680, BOTTOM, 'R', '#eeeeee'),
}
ops = {  # name: (x, y, label)
    'aff1': (120, MAIN, 'aff'), 'phi': (280, MAIN, 'φ'), 'aff2': (440, MAIN, 'aff'),
    'ce': (600, MAIN, 'CE'), 'plus': (760, MAIN, '+'), 'reg': (600, BOTTOM, 'reg'),
}
edges = [('X', 'aff1'), ('b1', 'aff1'), ('W1', 'aff1'), ('aff1', 'Z'), ('Z', 'phi'),
         ('phi', 'H'), ('H', 'aff2'), ('b2', 'aff2'), ('W2', 'aff2'), ('aff2', 'O'),
         ('O', 'ce'), ('Y', 'ce'), ('ce', 'L'), ('L', 'plus'), ('R', 'plus'), ('plus', 'J'),
         ('W2', 'reg'), ('reg', 'R')]
BOX, RADIUS = (48, 32), 19


def border(name, dx, dy):
    """Point on the border of node `name` in the direction (dx, dy) from its centre."""
    if name in ops:
        x, y, _ = ops[name]
        n = (dx * dx + dy * dy) ** 0.5
        return x + RADIUS * dx / n, y + RADIUS * dy / n
    x, y = values[name][:2]
    hw, hh = BOX[0] / 2, BOX[1] / 2
    t = min(hw / abs(dx) if dx else 1e9, hh / abs(dy) if dy else 1e9)
    return x + t * dx, y + t * dy


def centre(name):
    return (ops[name] if name in ops else values[name])[:2]


out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
       f'viewBox="0 0 {W} {H}" font-family="DejaVu Sans, Arial, sans-serif">',
       '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
       'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
       'fill="#333"/></marker></defs>',
       f'<rect width="{W}" height="{H}" fill="white"/>']
for a, b in edges:
    (xa, ya), (xb, yb) = centre(a), centre(b)
    x1, y1 = border(a, xb - xa, yb - ya)
    x2, y2 = border(b, xa - xb, ya - yb)
    out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
               'stroke="#333" stroke-width="1.5" marker-end="url(#arrow)"/>')
# W1 also feeds the regulariser: route the edge below the bottom row.
x0, y0 = values['W1'][:2]
xr, yr = ops['reg'][:2]
out.append(f'<polyline points="{x0},{y0 + BOX[1] / 2} {x0},{H - 22} {xr},{H - 22} '
           f'{xr},{yr + RADIUS}" fill="none" stroke="#333" stroke-width="1.5" '
           'marker-end="url(#arrow)"/>')
for x, y, label, fill in values.values():
    out.append(f'<rect x="{x - BOX[0] / 2}" y="{y - BOX[1] / 2}" width="{BOX[0]}" '
               f'height="{BOX[1]}" rx="4" fill="{fill}" stroke="#333" stroke-width="1.2"/>')
    out.append(f'<text x="{x}" y="{y + 6}" font-size="17" text-anchor="middle" '
               f'font-style="italic">{label}</text>')
for x, y, label in ops.values():
    out.append(f'<circle cx="{x}" cy="{y}" r="{RADIUS}" fill="white" stroke="#333" '
               'stroke-width="1.2"/>')
    out.append(f'<text x="{x}" y="{y + 5}" font-size="13" text-anchor="middle">{label}</text>')
out.append('</svg>')

if __name__ == '__main__':
    with open('mlp-compgraph.svg', 'w', encoding='utf-8') as f:
        f.write('\n'.join(out) + '\n')
