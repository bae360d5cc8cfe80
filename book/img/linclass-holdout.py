"""Draw linclass-holdout.svg: the training / validation / test split and what each part is for."""
import os

parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="620" height="180" viewBox="0 0 620 180" '
         'font-family="Helvetica, Arial, sans-serif">',
         '<rect width="100%" height="100%" fill="white"/>',
         '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
         'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#374151"/></marker>'
         '</defs>']
# (x, width, fill, stroke, name, use, how often)
boxes = [(20, 280, '#dbeafe', '#1d4ed8', 'training set', 'fit the parameters', 'every step'),
         (320, 130, '#fde68a', '#b45309', 'validation set', 'choose settings', 'as often as needed'),
         (470, 130, '#fecaca', '#b91c1c', 'test set', 'report the error', 'once, at the end')]
for x, w, fill, stroke, name, use, often in boxes:
    cx = x + w / 2
    parts.append(f'<rect x="{x}" y="30" width="{w}" height="50" rx="6" fill="{fill}" '
                 f'stroke="{stroke}" stroke-width="1.5"/>')
    parts.append(f'<text x="{cx}" y="60" font-size="13" text-anchor="middle">{name}</text>')
    parts.append(f'<line x1="{cx}" y1="82" x2="{cx}" y2="122" stroke="#374151" '
                 'stroke-width="1.3" marker-end="url(#arrow)"/>')
    parts.append(f'<text x="{cx}" y="142" font-size="12" text-anchor="middle">{use}</text>')
    parts.append(f'<text x="{cx}" y="160" font-size="11" fill="#4b5563" text-anchor="middle" '
                 f'font-style="italic">{often}</text>')
parts.append('<text x="20" y="20" font-size="11" fill="#4b5563">all labeled data</text>')
parts.append('</svg>')
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'linclass-holdout.svg')
with open(out, 'w') as f:
    f.write('\n'.join(parts) + '\n')
