"""Draw linreg-capacity.svg: training and generalization error against model complexity."""
import math
import os

W, H = 460, 270
x0, y0, x1, y1 = 60, 30, 430, 220           # plot area: left, top, right, bottom


def to_px(t, e):
    """Map complexity t in [0, 1] and error e in [0, 1] to pixel coordinates."""
    return x0 + t * (x1 - x0), y1 - e * (y1 - y0)


def train_error(t):
    return 0.06 + 0.82 * math.exp(-3.2 * t)


def gen_error(t):
    return train_error(t) + 0.04 + 0.55 * t ** 2.4


def polyline(f, color, dash=''):
    pts = ' '.join('%.1f,%.1f' % to_px(i / 100, f(i / 100)) for i in range(101))
    extra = f' stroke-dasharray="{dash}"' if dash else ''
    return f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="2.2"{extra}/>'


best = min((gen_error(i / 1000), i / 1000) for i in range(1001))[1]
bx, by = to_px(best, gen_error(best))
parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
         f'viewBox="0 0 {W} {H}" font-family="Helvetica, Arial, sans-serif" font-size="13">',
         '<rect width="100%" height="100%" fill="white"/>',
         # regions
         f'<rect x="{x0}" y="{y0}" width="{bx - x0:.1f}" height="{y1 - y0}" fill="#dbeafe" '
         'opacity="0.6"/>',
         f'<rect x="{bx:.1f}" y="{y0}" width="{x1 - bx:.1f}" height="{y1 - y0}" fill="#fee2e2" '
         'opacity="0.6"/>',
         f'<text x="{(x0 + bx) / 2:.1f}" y="{y0 + 18}" text-anchor="middle" fill="#1d4ed8">'
         'underfitting</text>',
         f'<text x="{(bx + x1) / 2:.1f}" y="{y0 + 18}" text-anchor="middle" fill="#b91c1c">'
         'overfitting</text>',
         # axes
         f'<line x1="{x0}" y1="{y1}" x2="{x1 + 10}" y2="{y1}" stroke="#374151" stroke-width="1.3"/>',
         f'<line x1="{x0}" y1="{y1}" x2="{x0}" y2="{y0 - 10}" stroke="#374151" stroke-width="1.3"/>',
         f'<text x="{(x0 + x1) / 2}" y="{y1 + 28}" text-anchor="middle">model complexity</text>',
         f'<text x="{x0 - 15}" y="{(y0 + y1) / 2}" text-anchor="middle" '
         f'transform="rotate(-90 {x0 - 15} {(y0 + y1) / 2})">error</text>',
         polyline(train_error, '#1f77b4'),
         polyline(gen_error, '#ff7f0e', '7,4'),
         f'<line x1="{bx:.1f}" y1="{y1}" x2="{bx:.1f}" y2="{by:.1f}" stroke="#6b7280" '
         'stroke-dasharray="3,3"/>',
         f'<circle cx="{bx:.1f}" cy="{by:.1f}" r="4" fill="#ff7f0e"/>',
         f'<text x="{bx:.1f}" y="{y1 + 14}" text-anchor="middle" font-size="11" fill="#4b5563">'
         'best complexity</text>']
tx, ty = to_px(0.86, train_error(0.86))
gx, gy = to_px(0.80, gen_error(0.80))
parts += [f'<text x="{tx:.1f}" y="{ty + 18:.1f}" text-anchor="middle" fill="#1f77b4">'
          'training error</text>',
          f'<text x="{gx - 8:.1f}" y="{gy - 8:.1f}" text-anchor="end" fill="#c2410c">'
          'generalization error</text>',
          '</svg>']
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'linreg-capacity.svg')
with open(out, 'w') as f:
    f.write('\n'.join(parts) + '\n')
