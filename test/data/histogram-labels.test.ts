/**
 * A histogram of whole numbers over a short range has one bin per value (histogram-bins.ts): its bars
 * are labelled by their values in the HTML report and the app (Pclass 1, 2, 3), where they used to read
 * as ranges running one past the largest value ("1 … 4", "3–4").
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { binLayout } from '../../src/data/profile/histogram-bins.js';
import { histogramSvg } from '../../src/data/report/svg-charts.js';
import { binLabels } from '../../web/src/components/charts/bin-labels.js';

const ticks = (svg: string): string[] => [...svg.matchAll(/class="tick"[^>]*>([^<]*)</g)].map((m) => m[1] ?? '');
const titles = (svg: string): string[] => [...svg.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => m[1] ?? '');

test('whole numbers 1–3: one labelled bar per value, in the report and in the app', () => {
  const layout = binLayout(1, 3, true);
  assert.deepEqual(layout?.edges, [1, 2, 3, 4]);
  const svg = histogramSvg({ edges: layout?.edges ?? [], counts: [216, 184, 491] });
  assert.deepEqual(ticks(svg), ['1', '2', '3']);
  assert.deepEqual(titles(svg), ['1: 216 rows', '2: 184 rows', '3: 491 rows']);
  assert.deepEqual(binLabels([1, 2, 3, 4]), ['1', '2', '3']);
});

test('many whole numbers: the first and last value; equal-width bins keep their range', () => {
  const wide = binLayout(0, 30, true);
  const many = histogramSvg({ edges: wide?.edges ?? [], counts: Array.from({ length: 31 }, () => 1) });
  assert.deepEqual(ticks(many), ['0', '30']);
  const real = binLayout(0.42, 80, false);
  const svg = histogramSvg({ edges: real?.edges ?? [], counts: Array.from({ length: 20 }, () => 3) });
  assert.deepEqual(ticks(svg), ['0.42', '80']);
  assert.equal(titles(svg)[0], '0.42 to 4.399: 3 rows');
  assert.deepEqual(binLabels([0, 2.5, 5]), ['0–2.5', '2.5–5']);
});
