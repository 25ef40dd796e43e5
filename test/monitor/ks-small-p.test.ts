/**
 * The exact two-sample KS p-value of a large shift. It was computed as one minus the share of paths that
 * stay inside the band, so anything below about 1e-16 came out as exactly 0 (`kiln monitor` showed
 * p-value 0 for a column whose ages had moved by 30 years, where scipy says 2e-45). Counting the paths
 * that leave keeps it. The expected values are scipy.stats.ks_2samp(a, b, method='exact') on normal
 * samples (seeded numpy), recorded here with the sizes and statistics they were computed at.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ksPValue, ksPValueExact } from '../../src/monitor/drift/ks.js';
import { naiveKsPValue } from './naive-drift.js';

const SCIPY: readonly { n1: number; n2: number; d: number; p: number }[] = [
  { n1: 712, n2: 300, d: 0.6888202247191011, p: 7.758691265060093e-97 },
  { n1: 571, n2: 600, d: 0.544816112084063, p: 2.874205835047903e-80 },
  { n1: 999, n2: 1000, d: 0.12649449449449449, p: 2.0487046785100027e-7 },
  { n1: 10, n2: 10, d: 1.0, p: 1.0825088224469026e-5 },
  { n1: 712, n2: 300, d: 0.04245318352059925, p: 0.8216079593671746 },
  { n1: 50, n2: 30, d: 0.30666666666666664, p: 0.048156376448164145 },
];

test('tiny exact KS p-values keep their size (scipy: 7.8e-97, 2.9e-80) instead of becoming 0', () => {
  for (const c of SCIPY) {
    const p = ksPValueExact(c.n1, c.n2, c.d);
    assert.ok(p > 0, `n=${c.n1},${c.n2} d=${c.d}: p is ${p}`);
    assert.ok(Math.abs(p - c.p) <= 1e-9 * c.p, `n=${c.n1},${c.n2} d=${c.d}: ${p} vs scipy ${c.p}`);
    // the order of the samples does not matter, and the "auto" entry point takes the exact path here
    assert.equal(ksPValueExact(c.n2, c.n1, c.d), p);
    assert.equal(ksPValue(c.n1, c.n2, c.d), p);
  }
});

test('complete separation of small samples: the exact share of interleavings, 2 / C(m+n, n)', () => {
  // only the two interleavings "all of a, then all of b" and the reverse reach D = 1
  for (const [m, n] of [[6, 4], [8, 8], [40, 30]] as const) {
    let binom = 1;
    for (let k = 1; k <= n; k++) binom = (binom * (m + k)) / k; // C(m+n, n) = Π (m+k)/k
    const p = ksPValueExact(m, n, 1);
    assert.ok(Math.abs(p - 2 / binom) <= 1e-12 * (2 / binom), `m=${m} n=${n}: ${p} vs ${2 / binom}`);
    if (m + n <= 16) assert.ok(Math.abs(p - naiveKsPValue(m, n, 1)) < 1e-15);
  }
});
