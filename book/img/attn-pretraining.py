"""Draw attn-pretraining.svg (attention-mechanisms-and-transformers chapter):
which positions each query may attend to, in the three arrangements."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
INK = '#374151'


def text(x, y, s, size=11, anchor='middle'):
    return (f'<text x="{x}" y="{y}" font-size="{size}" '
            f'text-anchor="{anchor}" fill="{INK}">{s}</text>')


def grid(x0, y0, rows, cols, allowed, fill, cell=13):
    """A rows x cols grid of cells; allowed(i, j) colors cell (i, j)."""
    body = []
    for i in range(rows):
        for j in range(cols):
            color = fill if allowed(i, j) else '#ffffff'
            body.append(f'<rect x="{x0 + j * cell}" y="{y0 + i * cell}" '
                        f'width="{cell}" height="{cell}" fill="{color}" '
                        f'stroke="{INK}" stroke-width="0.6"/>')
    return body


def figure():
    n, cell = 6, 13
    body = []
    size = n * cell
    # Encoder-only: every query sees every key
    body.append(text(70, 18, 'encoder-only (BERT)', 12))
    body += grid(31, 40, n, n, lambda i, j: True, '#bfdbfe')
    body.append(text(70, 140, 'self-attention: full', 10))
    # Encoder-decoder: full in the encoder, causal in the decoder, cross full
    body.append(text(290, 18, 'encoder-decoder (T5)', 12))
    body += grid(190, 40, n, n, lambda i, j: True, '#bfdbfe')
    body.append(text(190 + size / 2, 140, 'encoder: full', 10))
    body += grid(290, 40, n, n, lambda i, j: j <= i, '#fde68a')
    body.append(text(290 + size / 2, 140, 'decoder: causal', 10))
    body += grid(290, 152, n, n, lambda i, j: True, '#bbf7d0', cell)
    body.append(text(290 + size / 2, 244, 'cross: decoder queries,', 10))
    body.append(text(290 + size / 2, 257, 'all encoder keys', 10))
    # Decoder-only: causal
    body.append(text(520, 18, 'decoder-only (GPT)', 12))
    body += grid(481, 40, n, n, lambda i, j: j <= i, '#fde68a')
    body.append(text(520, 140, 'self-attention: causal', 10))
    # Axis labels
    for x0 in (31, 190, 290, 481):
        body.append(text(x0 + size / 2, 35, 'keys →', 9))
        body.append(f'<text x="{x0 - 6}" y="{40 + size / 2}" font-size="9" '
                    f'text-anchor="middle" fill="{INK}" '
                    f'transform="rotate(-90 {x0 - 6} {40 + size / 2})">'
                    '← queries</text>')
    head = ('<svg xmlns="http://www.w3.org/2000/svg" width="600" '
            'height="265" viewBox="0 0 600 265" '
            'font-family="Helvetica, Arial, sans-serif">\n'
            '<rect width="100%" height="100%" fill="white"/>\n')
    return head + '\n'.join(body) + '\n</svg>\n'


if __name__ == '__main__':
    with open(os.path.join(HERE, 'attn-pretraining.svg'), 'w') as f:
        f.write(figure())
