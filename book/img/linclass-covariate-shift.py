"""Draw linclass-covariate-shift.svg: training and deployment inputs come from different regions,
while the labeling rule P(y | x) stays the same."""
import math
import os

W, H = 560, 260
X0, X1, Y0, Y1 = 50, 530, 220, 30        # plot area in pixels (y grows downwards)


def px(x):                                 # data x in [-4, 4] -> pixel
    return X0 + (x + 4) / 8 * (X1 - X0)


def py(y):                                 # data y in [0, 1] -> pixel
    return Y0 + y * (Y1 - Y0)


def gauss(x, mu, s):
    return math.exp(-0.5 * ((x - mu) / s) ** 2)


def path(f, color, width, dash=''):
    pts = ' '.join(f'{px(x):.1f},{py(f(x)):.1f}' for x in [i / 25 - 4 for i in range(201)])
    extra = f' stroke-dasharray="{dash}"' if dash else ''
    return (f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="{width}"'
            f'{extra}/>')


def boundary(x):                           # P(y = 1 | x), the same in both environments
    return 1 / (1 + math.exp(-2.5 * x))


parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
         f'viewBox="0 0 {W} {H}" font-family="Helvetica, Arial, sans-serif">',
         '<rect width="100%" height="100%" fill="white"/>',
         f'<line x1="{X0}" y1="{Y0}" x2="{X1}" y2="{Y0}" stroke="#111827" stroke-width="1"/>',
         f'<text x="{X1}" y="{Y0 + 20}" font-size="12" text-anchor="end">input x</text>',
         path(lambda x: 0.8 * gauss(x, -1.6, 0.8), '#1d4ed8', 2),
         path(lambda x: 0.8 * gauss(x, 1.8, 0.7), '#b91c1c', 2),
         path(boundary, '#374151', 1.5, '6,4'),
         f'<text x="{px(-1.6)}" y="{py(0.84)}" font-size="12" fill="#1d4ed8" '
         'text-anchor="middle">training inputs p(x)</text>',
         f'<text x="{px(4)}" y="{py(0.86)}" font-size="12" fill="#b91c1c" '
         'text-anchor="end">deployment inputs q(x)</text>',
         f'<text x="{px(4)}" y="{py(1.06)}" font-size="12" fill="#374151" '
         'text-anchor="end">P(y = 1 | x), the same in both</text>',
         '</svg>']
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'linclass-covariate-shift.svg')
with open(out, 'w') as f:
    f.write('\n'.join(parts) + '\n')
