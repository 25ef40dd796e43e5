/**
 * The curves a model report draws, from held-out scores: ROC (false vs true positive rate) and
 * precision–recall, one point per distinct threshold, thinned to at most `maxPoints` for drawing.
 */
export interface Curve {
  readonly x: number[];
  readonly y: number[];
}

/** Points from the highest threshold down; ties move together, as in scikit-learn's roc_curve. */
function sweep(positive: Uint8Array, scores: Float64Array, point: (tp: number, fp: number, pos: number, neg: number) => [number, number] | undefined): Curve {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  let pos = 0;
  for (let i = 0; i < n; i++) pos += positive[i] as number;
  const neg = n - pos;
  const curve: Curve = { x: [], y: [] };
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k] as number;
    if (positive[i] === 1) tp++;
    else fp++;
    const next = order[k + 1];
    if (next === undefined || scores[next] !== scores[i]) {
      const p = point(tp, fp, pos, neg);
      if (p) {
        curve.x.push(p[0]);
        curve.y.push(p[1]);
      }
    }
  }
  return curve;
}

export function rocCurve(positive: Uint8Array, scores: Float64Array, maxPoints = 200): Curve {
  const c = sweep(positive, scores, (tp, fp, pos, neg) => [neg === 0 ? 0 : fp / neg, pos === 0 ? 0 : tp / pos]);
  return thin({ x: [0, ...c.x], y: [0, ...c.y] }, maxPoints);
}

export function precisionRecallCurve(positive: Uint8Array, scores: Float64Array, maxPoints = 200): Curve {
  const c = sweep(positive, scores, (tp, fp, pos) => (pos === 0 ? undefined : [tp / pos, tp / (tp + fp)]));
  return thin(c, maxPoints);
}

/** Keeps the first and last points and evenly spaced ones between. */
export function thin(c: Curve, maxPoints: number): Curve {
  if (c.x.length <= maxPoints) return c;
  const keep: Curve = { x: [], y: [] };
  for (let k = 0; k < maxPoints; k++) {
    const i = Math.round((k * (c.x.length - 1)) / (maxPoints - 1));
    keep.x.push(c.x[i] as number);
    keep.y.push(c.y[i] as number);
  }
  return keep;
}
