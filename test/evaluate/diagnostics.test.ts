import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Frame } from '../../src/core/frame.js';
import { Rng } from '../../src/core/rng.js';
import { bestThreshold, thresholdTable } from '../../src/evaluate/business/threshold.js';
import { classificationBaseline, diagnoseAgainstBaseline, regressionBaseline } from '../../src/evaluate/diagnostics/baseline.js';
import { diagnoseLeakage } from '../../src/evaluate/diagnostics/leakage.js';
import { diagnoseLearningCurve, type LossPoint } from '../../src/evaluate/diagnostics/learning-curve.js';
import { permutationImportance } from '../../src/evaluate/explain/permutation-importance.js';

const curve = (train: (i: number) => number, validation: (i: number) => number, n = 50): LossPoint[] =>
  Array.from({ length: n }, (_, i) => ({ iteration: i + 1, trainLoss: train(i), validationLoss: validation(i) }));

test('a healthy learning curve raises nothing', () => {
  const healthy = curve((i) => 0.3 + 0.4 * Math.exp(-i / 8), (i) => 0.33 + 0.4 * Math.exp(-i / 8));
  assert.deepEqual(diagnoseLearningCurve(healthy), []);
});

test('training loss falling while validation loss turns back up is overfitting', () => {
  const overfit = curve((i) => 0.6 * Math.exp(-i / 10), (i) => 0.4 + 0.004 * (i - 15) ** 2 / 10);
  const found = diagnoseLearningCurve(overfit);
  assert.deepEqual(found.map((d) => d.code), ['overfitting']);
  assert.match(found[0]!.message, /memorises/);
  assert.ok(found[0]!.nextSteps.length > 0);
});

test('growing or non-finite loss is divergence', () => {
  assert.equal(diagnoseLearningCurve(curve((i) => 0.7 * 1.05 ** i, (i) => 0.7 * 1.05 ** i))[0]?.code, 'divergence');
  assert.equal(diagnoseLearningCurve(curve((i) => (i > 10 ? Number.NaN : 0.6), () => 0.6))[0]?.code, 'divergence');
});

test('a validation loss that jumps around is instability', () => {
  const zigzag = curve((i) => 0.5 - 0.002 * i, (i) => (i % 2 === 0 ? 0.45 : 0.65));
  assert.ok(diagnoseLearningCurve(zigzag).some((d) => d.code === 'instability'));
});

test('comparison with the trivial answer: in words, underfitting and leakage', () => {
  const yTrain = Int32Array.from([0, 0, 0, 1, 1]);
  const yTest = Int32Array.from([0, 0, 0, 1, 1, 0, 1, 0, 0, 1]);
  const good = classificationBaseline(yTrain, yTest, 0.8, (k) => (k === 0 ? 'did not survive' : 'survived'));
  assert.equal(good.baselineScore, 0.6);
  assert.ok(Math.abs(good.improvement - 0.5) < 1e-12);
  assert.equal(good.sentence, '50% fewer errors than always answering "did not survive" (right 80% of the time instead of 60%).');
  assert.deepEqual(diagnoseAgainstBaseline(good, { accuracy: 0.8, roc_auc: 0.85 }), []);

  const useless = classificationBaseline(yTrain, yTest, 0.6, String);
  assert.deepEqual(diagnoseAgainstBaseline(useless, { accuracy: 0.6 }).map((d) => d.code), ['underfitting']);
  const leaky = classificationBaseline(yTrain, yTest, 1, String);
  assert.deepEqual(diagnoseAgainstBaseline(leaky, { accuracy: 1, roc_auc: 1 }).map((d) => d.code), ['leakage']);

  const reg = regressionBaseline(Float64Array.from([1, 2, 3]), 0.42);
  assert.equal(reg.sentence, '42% less squared error than always answering the average, 2.000.');
  assert.deepEqual(diagnoseAgainstBaseline(regressionBaseline(Float64Array.from([1, 2]), 0.9999), { r2: 0.9999 }).map((d) => d.code), ['leakage']);
});

test('permutation importance: a column the model uses matters, one it ignores is exactly zero', () => {
  const rng = new Rng(1);
  const n = 400;
  const x = Float64Array.from({ length: n }, () => rng.normal());
  const z = Float64Array.from({ length: n }, () => rng.normal());
  const y = Int32Array.from(x, (v) => (v > 0 ? 1 : 0));
  const frame = new Frame([{ kind: 'numeric', name: 'x', values: x }, { kind: 'numeric', name: 'z', values: z }]);
  const accuracyOfRule = (f: Frame) => {
    const xs = f.get('x')!.values as Float64Array;
    let hits = 0;
    for (let i = 0; i < n; i++) if ((xs[i]! > 0 ? 1 : 0) === y[i]) hits++;
    return hits / n;
  };
  const result = permutationImportance(frame, ['x', 'z'], accuracyOfRule, { repeats: 4, seed: 3 });
  assert.equal(result[0]?.column, 'x');
  assert.ok(result[0]!.importance > 0.35, `importance of x: ${result[0]!.importance}`);
  assert.equal(result[1]?.importance, 0);
  assert.deepEqual(permutationImportance(frame, ['x'], accuracyOfRule, { repeats: 4, seed: 3 })[0], result[0], 'seeded');
});

test('the threshold table values decisions per 1,000 cases and picks the best', () => {
  const positive = Uint8Array.from([1, 1, 0, 0]);
  const p1 = Float64Array.from([0.9, 0.4, 0.35, 0.1]);
  // catching a positive is worth 100, a false alarm costs 10, a miss costs 50
  const table = thresholdTable(positive, p1, { truePositive: 100, falsePositive: -10, falseNegative: -50, trueNegative: 0 }, 20);
  const at05 = table.find((r) => Math.abs(r.threshold - 0.5) < 1e-12)!;
  assert.deepEqual([at05.truePositives, at05.falsePositives, at05.falseNegatives, at05.trueNegatives], [1, 0, 1, 2]);
  assert.equal(at05.valuePer1000, (1000 * (100 - 50)) / 4);
  const best = bestThreshold(table);
  assert.ok(best.threshold > 0.35 && best.threshold <= 0.4, `best threshold ${best.threshold}`);
  assert.equal(best.valuePer1000, (1000 * 200) / 4);
});

test('robustness check: each perturbation touches what it says, seeded', async () => {
  const { robustnessCheck } = await import('../../src/evaluate/robustness.js');
  const n = 2000;
  const x = Float64Array.from({ length: n }, (_, i) => (i % 10) + 0.25); // not whole numbers: noise moves every one
  const c = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 'a' : i % 3 === 1 ? 'b' : 'c'));
  const frame = new Frame([{ kind: 'numeric', name: 'x', values: x }, { kind: 'categorical', name: 'c', values: c }]);
  // score = share of rows left exactly as they were
  const unchanged = (f: Frame) => {
    const fx = f.get('x')!.values as Float64Array;
    const fc = f.get('c')!.values as (string | null)[];
    let same = 0;
    for (let i = 0; i < n; i++) if (fx[i] === x[i] && fc[i] === c[i]) same++;
    return same / n;
  };
  const results = robustnessCheck(frame, unchanged, { seed: 4 });
  const by = Object.fromEntries(results.map((r) => [r.perturbation, r]));
  assert.equal(by['numeric_jitter']!.score, 0, 'every number moved');
  assert.ok(Math.abs(by['swapped_categories']!.score - 0.9) < 0.03, `swapped: ${by['swapped_categories']!.score}`);
  assert.ok(Math.abs(by['extra_missing']!.score - 0.81) < 0.03, `missing: ${by['extra_missing']!.score}`);
  assert.ok(results.every((r) => Math.abs(r.change - (r.score - 1)) < 1e-12));
  assert.deepEqual(robustnessCheck(frame, unchanged, { seed: 4 }), results);
});

test('a near-perfect score is leakage when one column carries it, and worth knowing when it is spread', () => {
  const auc = { roc_auc: 0.999, accuracy: 0.99 };
  const leaked = diagnoseLeakage(auc, {
    importances: [{ column: 'refund_issued', importance: 0.45, std: 0.01 }, { column: 'age', importance: 0.01, std: 0.005 }],
    scoreMetric: 'roc_auc',
    chance: 0.5,
  });
  assert.deepEqual(leaked.map((d) => [d.code, d.severity]), [['leakage', 'critical']]);
  assert.match(leaked[0]!.message, /"refund_issued"/);
  assert.ok(Math.abs(leaked[0]!.evidence['columnShare']! - 0.45 / 0.499) < 1e-12);

  // thirty measurements that each add a little (the breast-cancer data's shape)
  const spread = diagnoseLeakage(auc, {
    importances: Array.from({ length: 30 }, (_, i) => ({ column: `m${i}`, importance: 0.004, std: 0.002 })),
    scoreMetric: 'roc_auc',
    chance: 0.5,
  });
  assert.deepEqual(spread.map((d) => [d.code, d.severity]), [['near_perfect', 'info']]);
  assert.match(spread[0]!.message, /No single column carries it/);

  // accuracy measured against the majority class: 0.96 → 0.999 is a margin of 0.039, of which 0.03 is most
  const accuracyLeak = diagnoseLeakage({ accuracy: 0.999 }, { importances: [{ column: 'x', importance: 0.03, std: 0 }], scoreMetric: 'accuracy', chance: 0.96 });
  assert.equal(accuracyLeak[0]?.severity, 'critical');
  // without importances (text models) a near-perfect score is flagged; an ordinary one is not
  assert.deepEqual(diagnoseLeakage({ accuracy: 0.997 }).map((d) => d.code), ['leakage']);
  assert.deepEqual(diagnoseLeakage({ roc_auc: 0.97, accuracy: 0.93 }, { importances: [{ column: 'x', importance: 0.4, std: 0 }], scoreMetric: 'roc_auc', chance: 0.5 }), []);
});

test('a yes/no model that ranks well but answers like the majority at 50% needs a cut-off, not more learning', () => {
  const yTrain = Int32Array.from({ length: 100 }, (_, i) => (i < 97 ? 0 : 1));
  const yTest = Int32Array.from({ length: 100 }, (_, i) => (i < 97 ? 0 : 1));
  const majority = classificationBaseline(yTrain, yTest, 0.97, (k) => (k === 1 ? 'fraud' : 'fine'));
  const ranksWell = diagnoseAgainstBaseline(majority, { accuracy: 0.97, roc_auc: 0.9 });
  assert.deepEqual(ranksWell.map((d) => [d.code, d.severity]), [['threshold', 'warning']]);
  assert.match(ranksWell[0]!.message, /ROC AUC 0\.90/);
  assert.ok(ranksWell[0]!.nextSteps.some((s) => s.includes('--payoffs')));
  // ranking no better than a coin: it has learned nothing
  assert.deepEqual(diagnoseAgainstBaseline(majority, { accuracy: 0.97, roc_auc: 0.52 }).map((d) => d.code), ['underfitting']);
});
