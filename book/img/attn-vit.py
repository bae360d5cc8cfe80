"""Draw attn-vit.svg (attention-mechanisms-and-transformers chapter)."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
INK = '#374151'


def svg(width, height, body):
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}" '
            'font-family="Helvetica, Arial, sans-serif">\n'
            '<rect width="100%" height="100%" fill="white"/>\n'
            '<defs><marker id="a" viewBox="0 0 10 10" refX="9" refY="5" '
            'markerWidth="7" markerHeight="7" '
            'orient="auto-start-reverse">'
            f'<path d="M 0 0 L 10 5 L 0 10 z" fill="{INK}"/></marker></defs>\n')
    return head + '\n'.join(body) + '\n</svg>\n'


def rect(x, y, w, h, fill, rx=4):
    return (f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="{rx}" '
            f'fill="{fill}" stroke="{INK}" stroke-width="1.2"/>')


def text(x, y, s, size=11, anchor='middle'):
    return (f'<text x="{x}" y="{y}" font-size="{size}" '
            f'text-anchor="{anchor}" fill="{INK}">{s}</text>')


def arrow(x1, y1, x2, y2):
    return (f'<polyline points="{x1},{y1} {x2},{y2}" fill="none" '
            f'stroke="{INK}" stroke-width="1.3" marker-end="url(#a)"/>')


def vit():
    body = []
    # The image, cut into a 7 x 7 grid of patches
    x0, y0, cell = 20, 40, 24.5
    body.append(rect(x0, y0, 4 * cell, 4 * cell, '#f3f4f6', rx=0))
    for i in range(1, 4):
        body.append(f'<line x1="{x0 + i * cell}" y1="{y0}" '
                    f'x2="{x0 + i * cell}" y2="{y0 + 4 * cell}" '
                    f'stroke="{INK}" stroke-width="0.6"/>')
        body.append(f'<line x1="{x0}" y1="{y0 + i * cell}" '
                    f'x2="{x0 + 4 * cell}" y2="{y0 + i * cell}" '
                    f'stroke="{INK}" stroke-width="0.6"/>')
    body.append(text(x0 + 2 * cell, y0 - 10, 'image, 28×28'))
    body.append(text(x0 + 2 * cell, y0 + 4 * cell + 16, '16 patches, 7×7'))
    # Patch embedding
    body.append(arrow(x0 + 4 * cell, 89, 140, 89))
    body.append(rect(140, 64, 116, 50, '#dbeafe'))
    body.append(text(198, 85, 'patch embedding'))
    body.append(text(198, 100, '7×7 conv, stride 7'))
    body.append(arrow(256, 89, 276, 89))
    # The tokens: class token + 49 patch tokens, position embeddings added
    tx = 276
    for i, fill in enumerate(['#fde68a'] + ['#e5e7eb'] * 6):
        body.append(rect(tx + i * 14, 78, 12, 22, fill, rx=2))
    body.append(text(tx + 7 * 14 + 6, 93, '…', size=13, anchor='start'))
    body.append(text(tx + 6, 70, 'class', size=10))
    body.append(text(tx + 55, 120, '+ position embeddings', size=10))
    body.append(text(tx + 55, 134, '17 tokens × 64', size=10))
    # The blocks
    bx = 414
    body.append(arrow(tx + 120, 89, bx, 89))
    body.append(rect(bx, 30, 124, 118, '#fef3c7'))
    body.append(text(bx + 62, 24, 'pre-norm block ×2'))
    for j, label in enumerate(['layer norm', 'multi-head attention',
                               'layer norm', 'MLP (GELU)']):
        fill = '#ffffff' if j % 2 == 0 else '#dcfce7'
        body.append(rect(bx + 8, 38 + j * 27, 108, 21, fill, rx=3))
        body.append(text(bx + 62, 52 + j * 27, label, size=10))
    # The head on the class token
    body.append(arrow(bx + 124, 89, 562, 89))
    body.append(rect(562, 64, 112, 50, '#fce7f3'))
    body.append(text(618, 85, 'class token only:'))
    body.append(text(618, 100, 'layer norm, linear'))
    body.append(arrow(618, 114, 618, 140))
    body.append(text(618, 154, '10 class scores'))
    return svg(690, 170, body)


if __name__ == '__main__':
    with open(os.path.join(HERE, 'attn-vit.svg'), 'w') as f:
        f.write(vit())
