/** `kiln curves --html`: the curves and their plain-language reading as one self-contained page. */
import { escapeXml, lineChart } from '../../evaluate/report/svg.js';
import type { CurvePoint } from '../../evaluate/curves/curve-point.js';
import { REPORT_STYLE } from '../report-html.js';
import type { Curve, CurvesResult } from './tabular-curves.js';

export function renderCurvesHtml(result: CurvesResult): string {
  const unit = result.task === 'text-classify' ? 'texts' : 'rows';
  const sections = [curveSection(`Learning curve: more ${unit}`, `training ${unit}`, result.size, result.metric)];
  if (result.validation !== undefined) sections.push(curveSection(`Validation curve: ${result.validation.param}`, result.validation.param, result.validation, result.metric));
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeXml(result.model)} — learning and validation curves</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${REPORT_STYLE}</style></head><body>
<h1>${escapeXml(result.model)}: does it need more data, or other settings?</h1>
<p class="sub">${escapeXml(result.learner)} on ${result.trainingRows} training ${unit}, ${result.folds}-fold cross-validation (${escapeXml(result.protocol)}), ${escapeXml(result.metric)}; the test part stays unseen.</p>
${sections.join('\n')}
</body></html>
`;
}

function curveSection(title: string, xLabel: string, curve: Curve, metric: string): string {
  const numeric = curve.points.every((p) => typeof p.x === 'number');
  // Parameter values that are words (or span decades) are drawn at evenly spaced positions.
  const positions = curve.points.map((p, i) => (numeric && !spansDecades(curve.points) ? (p.x as number) : i));
  const chart = lineChart(title, [
    { name: 'training', x: positions, y: curve.points.map((p) => p.train) },
    { name: 'held out', x: positions, y: curve.points.map((p) => p.validation) },
  ], { x: numeric && !spansDecades(curve.points) ? xLabel : `${xLabel} (in order tried)`, y: metric });
  const rows = curve.points
    .map((p) => `<tr><td>${escapeXml(String(p.x))}</td><td class="num">${p.train.toFixed(4)} ± ${p.trainStd.toFixed(4)}</td><td class="num">${p.validation.toFixed(4)} ± ${p.validationStd.toFixed(4)}</td></tr>`)
    .join('');
  return `<h2>${escapeXml(title)}</h2>
<div class="verdict">${escapeXml(curve.reading.sentence)}<ul>${curve.reading.nextSteps.map((s) => `<li>${escapeXml(s)}</li>`).join('')}</ul></div>
<div class="charts"><figure>${chart}<figcaption>${escapeXml(metric)} on the rows each model was fitted on, and on held-out rows (mean over folds)</figcaption></figure>
<table><thead><tr><th>${escapeXml(xLabel)}</th><th>training</th><th>held out</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function spansDecades(points: readonly CurvePoint[]): boolean {
  const xs = points.map((p) => p.x as number).filter((x) => x > 0);
  return xs.length === points.length && Math.max(...xs) / Math.min(...xs) >= 100;
}
