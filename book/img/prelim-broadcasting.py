"""Draw prelim-broadcasting.svg: how a (3, 1) and a (1, 2) tensor broadcast to (3, 2).

Run `python prelim-broadcasting.py` in this folder to regenerate the SVG; it needs only Python.
"""
CELL = 34                 # side of one array cell, in pixels
a = [0, 1, 2]             # the (3, 1) operand, a column
b = [0, 10]               # the (1, 2) operand, a row
parts = []


def cell(x, y, value, copied=False):
    fill = '#eef3fb' if copied else '#9fc0ea'
    dash = ' stroke-dasharray="4,3"' if copied else ''
    colour = '#8a97a8' if copied else '#111'
    parts.append(f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" fill="{fill}" '
                 f'stroke="#35506f" stroke-width="1.2"{dash}/>')
    parts.append(f'<text x="{x + CELL / 2}" y="{y + CELL / 2 + 5}" text-anchor="middle" '
                 f'font-size="14" fill="{colour}">{value}</text>')


def text(x, y, s, size=14, anchor='middle', weight='normal'):
    parts.append(f'<text x="{x}" y="{y}" text-anchor="{anchor}" font-size="{size}" '
                 f'font-weight="{weight}">{s}</text>')


top = 40
# Row 1: the operands as stored.
x0 = 20
for i, v in enumerate(a):
    cell(x0, top + i * CELL, v)
text(x0 + CELL / 2, top - 12, 'a: (3, 1)')
text(x0 + CELL + 28, top + 1.5 * CELL + 6, '+', size=22)
x1 = x0 + CELL + 56
for j, v in enumerate(b):
    cell(x1 + j * CELL, top, v)
text(x1 + CELL, top - 12, 'b: (1, 2)')

# Arrow to the broadcast copies.
ax = x1 + 2 * CELL + 22
parts.append(f'<line x1="{ax}" y1="{top + 1.5 * CELL}" x2="{ax + 44}" y2="{top + 1.5 * CELL}" '
             'stroke="#333" stroke-width="1.5" marker-end="url(#arrow)"/>')
text(ax + 22, top + 1.5 * CELL - 10, 'copy', size=12)

# Row 2: both operands stretched to (3, 2); stretched entries are dashed.
x2 = ax + 64
for i, v in enumerate(a):
    for j in range(2):
        cell(x2 + j * CELL, top + i * CELL, v, copied=j > 0)
text(x2 + CELL, top - 12, '(3, 2)')
text(x2 + 2 * CELL + 20, top + 1.5 * CELL + 6, '+', size=22)
x3 = x2 + 2 * CELL + 40
for i in range(3):
    for j, v in enumerate(b):
        cell(x3 + j * CELL, top + i * CELL, v, copied=i > 0)
text(x3 + CELL, top - 12, '(3, 2)')
text(x3 + 2 * CELL + 20, top + 1.5 * CELL + 6, '=', size=22)
x4 = x3 + 2 * CELL + 40
for i, u in enumerate(a):
    for j, v in enumerate(b):
        cell(x4 + j * CELL, top + i * CELL, u + v)
text(x4 + CELL, top - 12, 'a + b: (3, 2)')

width, height = x4 + 2 * CELL + 20, top + 3 * CELL + 20
svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
       f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif">\n'
       '<defs><marker id="arrow" markerWidth="10" markerHeight="8" refX="9" refY="4" '
       'orient="auto"><path d="M0,0 L10,4 L0,8 z" fill="#333"/></marker></defs>\n'
       '<rect width="100%" height="100%" fill="white"/>\n' + '\n'.join(parts) + '\n</svg>\n')
with open(__file__.replace('.py', '.svg'), 'w') as f:
    f.write(svg)
