"""Draw mrnn-encoder-decoder.svg and mrnn-seq2seq.svg (modern-rnns chapter)."""
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


def box(x, y, w, h, text, fill, size=13):
    text = text.replace('<', '&lt;').replace('>', '&gt;')
    return (f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="5" '
            f'fill="{fill}" stroke="{INK}" stroke-width="1.2"/>\n'
            f'<text x="{x + w / 2}" y="{y + h / 2 + size * 0.35}" '
            f'font-size="{size}" text-anchor="middle" fill="{INK}">'
            f'{text}</text>')


def text(x, y, s, size=12, anchor='middle', style=''):
    s = s.replace('<', '&lt;').replace('>', '&gt;')
    return (f'<text x="{x}" y="{y}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="{INK}" {style}>{s}</text>')


def arrow(points, dashed=False):
    pts = ' '.join(f'{x},{y}' for x, y in points)
    dash = ' stroke-dasharray="4 3"' if dashed else ''
    return (f'<polyline points="{pts}" fill="none" stroke="{INK}" '
            f'stroke-width="1.3"{dash} marker-end="url(#a)"/>')


def encoder_decoder():
    body = [text(55, 76, 'source'),
            text(55, 92, 'x1, ..., xT'),
            arrow([(100, 80), (130, 80)]),
            box(130, 55, 100, 50, 'encoder', '#dbeafe'),
            arrow([(230, 80), (270, 80)]),
            box(270, 55, 70, 50, 'state', '#fde68a'),
            arrow([(340, 80), (380, 80)]),
            box(380, 55, 100, 50, 'decoder', '#d1fae5'),
            arrow([(430, 105), (430, 135)]),
            text(430, 152, 'target y1, y2, ..., <eos>'),
            arrow([(430, 160), (430, 168), (530, 168), (530, 20), (430, 20),
                   (430, 55)], dashed=True),
            text(535, 85, 'each written', anchor='start', size=11),
            text(535, 99, 'token is the', anchor='start', size=11),
            text(535, 113, 'next input', anchor='start', size=11)]
    return svg(630, 180, body)


def seq2seq():
    src = ['in', 'the', 'beginning', '<eos>']
    tgt_in = ['<bos>', 'en', 'el', 'principio']
    tgt_out = ['en', 'el', 'principio', '<eos>']
    step, w, top = 84, 70, 70
    x0 = 20
    enc_mid = x0 + ((len(src) - 1) * step + w) / 2
    body = [text(enc_mid, 22, 'encoder', size=14)]
    for i, token in enumerate(src):
        x = x0 + i * step
        body.append(box(x, top + 70, w, 26, token, '#f3f4f6', size=12))
        body.append(arrow([(x + w / 2, top + 70), (x + w / 2, top + 42)]))
        body.append(box(x, top, w, 40, 'GRU', '#dbeafe'))
        if i:
            body.append(arrow([(x - step + w, top + 20), (x, top + 20)]))
    enc_right = x0 + (len(src) - 1) * step + w
    cx = enc_right + 40
    body.append(arrow([(enc_right, top + 20), (cx, top + 20)]))
    body.append(box(cx, top, 40, 40, 'c', '#fde68a', size=15))
    x1 = cx + 100
    for i, (a, b) in enumerate(zip(tgt_in, tgt_out)):
        x = x1 + i * step
        body.append(box(x, top + 70, w, 26, a, '#f3f4f6', size=12))
        body.append(arrow([(x + w / 2, top + 70), (x + w / 2, top + 42)]))
        body.append(box(x, top, w, 40, 'GRU', '#d1fae5'))
        body.append(arrow([(x + w / 2, top), (x + w / 2, top - 14)]))
        body.append(text(x + w / 2, top - 20, b, size=12))
        if i:
            body.append(arrow([(x - step + w, top + 20), (x, top + 20)]))
        # the context goes into every step, up the gap left of the step's
        # input and into the GRU from the left, below the recurrent arrow
        body.append(arrow([(cx + 20, top + 40), (cx + 20, top + 118),
                           (x - 7, top + 118), (x - 7, top + 32),
                           (x, top + 32)], dashed=True))
    body.append(arrow([(cx + 40, top + 20), (x1, top + 20)]))
    body.append(text(x1 + ((len(tgt_in) - 1) * step + w) / 2, 22, 'decoder',
                     size=14))
    body.append(text(cx + 20, top + 136,
                     'context c: initial state and an input at every step',
                     size=11, anchor='start'))
    width = x1 + len(tgt_in) * step + 10
    return svg(width, 220, body)


for name, draw in [('mrnn-encoder-decoder.svg', encoder_decoder),
                   ('mrnn-seq2seq.svg', seq2seq)]:
    with open(os.path.join(HERE, name), 'w') as f:
        f.write(draw())
