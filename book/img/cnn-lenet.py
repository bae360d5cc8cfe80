"""Draw cnn-lenet.svg: the layers of LeNet-5 and the shapes of their outputs."""
import os

W, H = 920, 260
MID = 110  # vertical center of the boxes
# (label on top, label below, height in pixels, depth in pixels, number of sheets)
stages = [('1×28×28', 'input: padding 2', 84, 6, 1),
          ('6×28×28', 'C1: conv 5×5', 84, 6, 4),
          ('6×14×14', 'S2: pool 2×2', 42, 6, 4),
          ('16×10×10', 'C3: conv 5×5', 30, 6, 6),
          ('16×5×5', 'S4: pool 2×2', 15, 6, 6),
          ('120', 'C5: conv 5×5', 120, 0, 0),
          ('84', 'F6: dense', 84, 0, 0),
          ('10', 'output: dense', 10 * 4, 0, 0)]
parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
         f'viewBox="0 0 {W} {H}" font-family="Helvetica, Arial, sans-serif">',
         '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" '
         'markerWidth="7" markerHeight="7" orient="auto">'
         '<path d="M0,0 L10,5 L0,10 z" fill="#374151"/></marker></defs>',
         '<rect width="100%" height="100%" fill="white"/>']
x = 25
prev_right = None
for top, below, h, step, sheets in stages:
    if sheets:  # a stack of square feature maps, drawn back to front
        left = x
        for k in reversed(range(sheets)):
            dx = dy = k * step
            parts.append(f'<rect x="{x + dx}" y="{MID - h / 2 - dy}" width="{h}" '
                         f'height="{h}" fill="#dbeafe" stroke="#1d4ed8" '
                         'stroke-width="1.2"/>')
        right = x + h + (sheets - 1) * step
        center = (left + right) / 2
    else:  # a vector, drawn as a thin column
        left, right = x, x + 16
        parts.append(f'<rect x="{left}" y="{MID - h / 2}" width="16" height="{h}" '
                     'fill="#fde68a" stroke="#b45309" stroke-width="1.2"/>')
        center = x + 8
    parts.append(f'<text x="{center}" y="{MID - 75}" font-size="13" '
                 f'text-anchor="middle">{top}</text>')
    for i, line in enumerate(below.split(': ')):
        parts.append(f'<text x="{center}" y="{MID + 85 + 15 * i}" font-size="12" '
                     f'text-anchor="middle" fill="#374151">{line}</text>')
    if prev_right is not None:
        parts.append(f'<line x1="{prev_right + 6}" y1="{MID}" x2="{left - 6}" '
                     f'y2="{MID}" stroke="#374151" stroke-width="1.4" '
                     'marker-end="url(#arrow)"/>')
    prev_right = right
    x = right + 62
parts.append(f'<text x="{W / 2}" y="{H - 12}" font-size="12" text-anchor="middle" '
             'fill="#6b7280">every convolution and dense layer except the output '
             'is followed by tanh</text>')
parts.append('</svg>')
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'cnn-lenet.svg')
with open(out, 'w') as f:
    f.write('\n'.join(parts) + '\n')
