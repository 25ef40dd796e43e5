import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatLabel, lineChart, niceTicks } from '../../src/evaluate/report/svg.js';

test('niceTicks puts the grid at round values inside the range', () => {
  assert.deepEqual(niceTicks(1, 26), [5, 10, 15, 20, 25]);
  assert.deepEqual(niceTicks(0, 1), [0, 0.25, 0.5, 0.75, 1]);
  assert.deepEqual(niceTicks(0.44, 0.53), [0.44, 0.46, 0.48, 0.5, 0.52]);
  assert.deepEqual(niceTicks(-3, 3), [-3, -2, -1, 0, 1, 2, 3]);
});

test('niceTicks: every tick is in range, evenly spaced by 1, 2, 2.5 or 5 times a power of ten (many ranges)', () => {
  for (const [a, b] of [[0, 7], [3, 1003], [0.001, 0.0042], [-50, -12], [1, 2], [17, 18.5], [0, 123456]] as const) {
    const ticks = niceTicks(a, b);
    assert.ok(ticks.length >= 2 && ticks.length <= 7, `${a}..${b}: ${ticks.length} ticks`);
    for (const t of ticks) assert.ok(t >= a - 1e-12 && t <= b + 1e-12, `${t} outside ${a}..${b}`);
    const step = (ticks[1] as number) - (ticks[0] as number);
    const mantissa = step / 10 ** Math.floor(Math.log10(step));
    assert.ok([1, 2, 2.5, 5].some((m) => Math.abs(m - mantissa) < 1e-9), `step ${step}`);
    ticks.forEach((t, i) => assert.ok(Math.abs(t - (ticks[0] as number) - i * step) < step * 1e-9));
  }
  assert.deepEqual(niceTicks(5, 5), [5], 'an empty range keeps its one value');
});

test('formatLabel writes plain digits a non-engineer can read', () => {
  assert.equal(formatLabel(0.0048), '0.0048');
  assert.equal(formatLabel(-0.0019), '-0.0019');
  assert.equal(formatLabel(0.2081), '0.21');
  assert.equal(formatLabel(13.456), '13.46');
  assert.equal(formatLabel(250000), '250000');
  assert.equal(formatLabel(0), '0');
  assert.equal(formatLabel(3.2e-6), '3.2e-6');
  assert.equal(formatLabel(4.5e7), '4.5e+7');
});

test('a learning curve over 26 iterations labels its axis with whole iterations', () => {
  const svg = lineChart('Learning curve', [{ name: 'training loss', x: Array.from({ length: 26 }, (_, i) => i + 1), y: Array.from({ length: 26 }, (_, i) => 0.53 - i * 0.003) }], { x: 'iteration', y: 'loss' });
  const xLabels = [...svg.matchAll(/text-anchor="middle">([^<]+)<\/text>/g)].map((m) => m[1]);
  assert.ok(xLabels.includes('10') && xLabels.includes('25'), xLabels.join(' '));
  assert.ok(!xLabels.some((l) => l?.includes('.')), `fractional iteration labels: ${xLabels.join(' ')}`);
});
