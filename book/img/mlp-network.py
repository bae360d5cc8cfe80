"""Draw mlp-hidden-layer.svg (an MLP with one hidden layer) and mlp-dropout.svg (the same
network with two hidden units dropped). Run `python mlp-network.py` in this folder; it only
needs the standard library."""

LAYERS = [('x', 4, 'Input layer', '#dbe9f6'), ('h', 5, 'Hidden layer', '#d9f0d3'),
          ('o', 3, 'Output layer', '#fde2c8')]
W, H, R = 420, 300, 17
XS = [70, 210, 350]
TOP, BOTTOM = 50, 270
DASH = ' stroke-dasharray="3,3"'


def ys(count):
    gap = 52
    mid = (TOP + BOTTOM) / 2
    return [mid + (i - (count - 1) / 2) * gap for i in range(count)]


def draw(dropped=()):
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
           f'viewBox="0 0 {W} {H}" font-family="DejaVu Sans, Arial, sans-serif">',
           f'<rect width="{W}" height="{H}" fill="white"/>']
    pos = [[(x, y) for y in ys(n)] for x, (_, n, _, _) in zip(XS, LAYERS)]
    for l in range(len(LAYERS) - 1):
        for i, (x1, y1) in enumerate(pos[l]):
            for j, (x2, y2) in enumerate(pos[l + 1]):
                if (l == 0 and j + 1 in dropped) or (l == 1 and i + 1 in dropped):
                    continue
                dx, dy = x2 - x1, y2 - y1
                n = (dx * dx + dy * dy) ** 0.5
                out.append(f'<line x1="{x1 + R * dx / n:.1f}" y1="{y1 + R * dy / n:.1f}" '
                           f'x2="{x2 - R * dx / n:.1f}" y2="{y2 - R * dy / n:.1f}" '
                           'stroke="#555" stroke-width="1"/>')
    for (name, n, title, fill), col, x in zip(LAYERS, pos, XS):
        out.append(f'<text x="{x}" y="24" font-size="13" text-anchor="middle">{title}</text>')
        for i, (cx, cy) in enumerate(col):
            off = name == 'h' and i + 1 in dropped
            out.append(f'<circle cx="{cx}" cy="{cy}" r="{R}" fill="{"#f4f4f4" if off else fill}" '
                       f'stroke="{"#aaa" if off else "#333"}" stroke-width="1.2"'
                       f'{DASH if off else ""}/>')
            out.append(f'<text x="{cx}" y="{cy + 5}" font-size="14" text-anchor="middle" '
                       f'font-style="italic" fill="{"#aaa" if off else "#000"}">'
                       f'{name}<tspan font-size="10" dy="3">{i + 1}</tspan></text>')
            if off:
                d = R * 0.7
                out.append(f'<path d="M{cx - d},{cy - d} L{cx + d},{cy + d} M{cx - d},{cy + d} '
                           f'L{cx + d},{cy - d}" stroke="#c0392b" stroke-width="2"/>')
    out.append('</svg>')
    return '\n'.join(out) + '\n'


if __name__ == '__main__':
    with open('mlp-hidden-layer.svg', 'w', encoding='utf-8') as f:
        f.write(draw())
    with open('mlp-dropout.svg', 'w', encoding='utf-8') as f:
        f.write(draw(dropped=(2, 5)))
