"""Draw linclass-softmax-net.svg: a fully connected layer with 4 inputs and 3 outputs."""
import os

W, H, R = 430, 200, 17
ins = [(60 + i * 80, 160) for i in range(4)]
outs = [(100 + j * 80, 45) for j in range(3)]
parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
         f'viewBox="0 0 {W} {H}" font-family="Helvetica, Arial, sans-serif">',
         '<rect width="100%" height="100%" fill="white"/>']
for (x1, y1) in ins:
    for (x2, y2) in outs:
        parts.append(f'<line x1="{x1}" y1="{y1 - R}" x2="{x2}" y2="{y2 + R}" '
                     'stroke="#6b7280" stroke-width="1.2"/>')
for k, (x, y) in enumerate(ins, 1):
    parts.append(f'<circle cx="{x}" cy="{y}" r="{R}" fill="#dbeafe" stroke="#1d4ed8" '
                 'stroke-width="1.5"/>')
    parts.append(f'<text x="{x}" y="{y + 5}" font-size="14" text-anchor="middle" '
                 f'font-style="italic">x<tspan font-size="10" dy="4">{k}</tspan></text>')
for k, (x, y) in enumerate(outs, 1):
    parts.append(f'<circle cx="{x}" cy="{y}" r="{R}" fill="#fde68a" stroke="#b45309" '
                 'stroke-width="1.5"/>')
    parts.append(f'<text x="{x}" y="{y + 5}" font-size="14" text-anchor="middle" '
                 f'font-style="italic">o<tspan font-size="10" dy="4">{k}</tspan></text>')
parts.append('<text x="340" y="50" font-size="13">output layer</text>')
parts.append('<text x="340" y="165" font-size="13">input layer</text>')
parts.append('</svg>')
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'linclass-softmax-net.svg')
with open(out, 'w') as f:
    f.write('\n'.join(parts) + '\n')
