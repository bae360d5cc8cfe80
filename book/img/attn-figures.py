"""Draw attn-bahdanau.svg and attn-transformer.svg (attention chapter)."""
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


def escape(s):
    return s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')


def box(x, y, w, h, label, fill, size=13):
    return (f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="5" '
            f'fill="{fill}" stroke="{INK}" stroke-width="1.2"/>\n'
            f'<text x="{x + w / 2}" y="{y + h / 2 + size * 0.35}" '
            f'font-size="{size}" text-anchor="middle" fill="{INK}">'
            f'{escape(label)}</text>')


def frame(x, y, w, h):
    return (f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="10" '
            f'fill="none" stroke="{INK}" stroke-width="1" '
            'stroke-dasharray="5 4"/>')


def text(x, y, s, size=12, anchor='middle', style=''):
    return (f'<text x="{x}" y="{y}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="{INK}" {style}>{escape(s)}</text>')


def arrow(points, dashed=False):
    pts = ' '.join(f'{x},{y}' for x, y in points)
    dash = ' stroke-dasharray="4 3"' if dashed else ''
    return (f'<polyline points="{pts}" fill="none" stroke="{INK}" '
            f'stroke-width="1.3"{dash} marker-end="url(#a)"/>')


def bahdanau():
    src = ['in', 'the', 'beginning', '<eos>']
    tgt_in = ['<bos>', 'en', 'el']
    tgt_out = ['en', 'el', 'principio']
    step, w, top = 84, 70, 190
    x0 = 20
    body = [text(x0 + (3 * step + w) / 2, top + 100, 'encoder', size=14)]
    att_x, att_w = x0, 3 * step + w + 200
    body.append(box(att_x, 60, att_w, 40,
                    'additive attention: keys = values = h1, ..., hT',
                    '#fde68a'))
    for i, token in enumerate(src):
        x = x0 + i * step
        body.append(box(x, top + 56, w, 24, token, '#f3f4f6', size=12))
        body.append(arrow([(x + w / 2, top + 56), (x + w / 2, top + 42)]))
        body.append(box(x, top, w, 40, 'GRU', '#dbeafe'))
        body.append(arrow([(x + w / 2, top), (x + w / 2, 102)]))
        body.append(text(x + w / 2 + 14, 150, f'h{i + 1}', size=12))
        if i:
            body.append(arrow([(x - step + w, top + 20), (x, top + 20)]))
    x1 = x0 + 4 * step + 40
    enc_right = x0 + 3 * step + w
    body.append(arrow([(enc_right, top + 20), (x1, top + 20)]))
    for i, (a, b) in enumerate(zip(tgt_in, tgt_out)):
        x = x1 + i * step
        body.append(box(x, top + 56, w, 24, a, '#f3f4f6', size=12))
        body.append(arrow([(x + w / 2, top + 56), (x + w / 2, top + 42)]))
        body.append(box(x, top, w, 40, 'GRU', '#d1fae5'))
        body.append(arrow([(x + w - 12, top), (x + w - 12, top - 18)]))
        body.append(text(x + w - 12, top - 22, b, size=12))
        if i:
            body.append(arrow([(x - step + w, top + 20), (x, top + 20)]))
    # one decoding step: the previous state queries, the context goes in
    q_x, c_x = x1 + 14, x1 + step + 14
    body.append(arrow([(q_x, top), (q_x, 102)]))
    body.append(text(q_x - 4, 128, "query s(t'-1)", size=11, anchor='end'))
    body.append(arrow([(c_x, 100), (c_x, top - 2)], dashed=True))
    body.append(text(c_x + 6, 128, "context c(t')", size=11, anchor='start'))
    body.append(text(x1 + (2 * step + w) / 2, top + 100, 'decoder', size=14))
    width = x1 + 3 * step + 10
    return svg(width, top + 110, body)


def stack(x, y, w, layers, body):
    """Boxes from the bottom up, each `h` high; returns their (top, bottom)
    y coordinates and draws the arrows between them."""
    spots = []
    for label, fill, h in layers:
        body.append(box(x, y - h, w, h, label, fill, size=12))
        if spots:
            body.append(arrow([(x + w / 2, spots[-1][0]), (x + w / 2, y)]))
        spots.append((y - h, y))
        y -= h + 16
    return spots


def residual(x, below, target, body):
    """A skip arrow on the left side from below a sublayer to add & norm."""
    y_from = below - 8
    y_to = (target[0] + target[1]) / 2
    body.append(arrow([(x + 95, y_from), (x - 14, y_from), (x - 14, y_to),
                       (x, y_to)]))


def transformer():
    body = []
    w, h = 190, 30
    attn, ffn, norm, emb = '#fde68a', '#dbeafe', '#e5e7eb', '#f3f4f6'
    # Encoder
    ex, base = 80, 540
    body.append(text(ex + w / 2, base + 22, 'source tokens'))
    body.append(arrow([(ex + w / 2, base + 8), (ex + w / 2, base)]))
    enc = stack(ex, base, w, [
        ('embedding × √d', emb, h), ('+ positional encoding', emb, h),
        ('multi-head self-attention', attn, h), ('add & norm', norm, h),
        ('feed-forward', ffn, h), ('add & norm', norm, h)], body)
    residual(ex, enc[1][0], enc[3], body)
    residual(ex, enc[3][0], enc[5], body)
    body.append(frame(ex - 24, enc[5][0] - 10, w + 36, enc[2][1] - enc[5][0]
                      + 18))
    body.append(text(ex - 30, (enc[5][0] + enc[2][1]) / 2, 'N ×', size=14,
                     anchor='end'))
    body.append(text(ex + w / 2, base + 46, 'encoder', size=14))
    # Decoder
    dx = 400
    body.append(text(dx + w / 2, base + 22, 'target tokens so far (<bos>, ...)'))
    body.append(arrow([(dx + w / 2, base + 8), (dx + w / 2, base)]))
    dec = stack(dx, base, w, [
        ('embedding × √d', emb, h), ('+ positional encoding', emb, h),
        ('masked self-attention', attn, h), ('add & norm', norm, h),
        ('encoder-decoder attention', attn, h), ('add & norm', norm, h),
        ('feed-forward', ffn, h), ('add & norm', norm, h),
        ('dense', emb, h)], body)
    residual(dx, dec[1][0], dec[3], body)
    residual(dx, dec[3][0], dec[5], body)
    residual(dx, dec[5][0], dec[7], body)
    body.append(frame(dx - 24, dec[7][0] - 10, w + 36, dec[2][1] - dec[7][0]
                      + 18))
    body.append(text(dx + w + 30, (dec[7][0] + dec[2][1]) / 2, '× N',
                     size=14, anchor='start'))
    body.append(arrow([(dx + w / 2, dec[8][0]), (dx + w / 2, dec[8][0] - 14)]))
    body.append(text(dx + w / 2, dec[8][0] - 20,
                     'scores of the next tokens'))
    body.append(text(dx + w / 2, base + 46, 'decoder', size=14))
    # The encoder's outputs are the keys and values of the cross-attention
    cross = (dec[4][0] + dec[4][1]) / 2
    top = enc[5][0]
    body.append(arrow([(ex + w / 2, top), (ex + w / 2, top - 34),
                       (dx - 40, top - 34), (dx - 40, cross), (dx, cross)]))
    body.append(text((ex + w + dx) / 2 + 10, top - 40, 'keys and values',
                     size=11))
    return svg(dx + w + 80, base + 60, body)


for name, draw in [('attn-bahdanau.svg', bahdanau),
                   ('attn-transformer.svg', transformer)]:
    with open(os.path.join(HERE, name), 'w') as f:
        f.write(draw())
