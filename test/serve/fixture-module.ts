/**
 * Tiny AI modules for the serving tests, built with the GraphBuilder and registered in a temporary Kiln
 * home with the real stores, exactly as `kiln train` would register them.
 *
 * Classifier: inputs `Age` (FP32, NaN = missing → imputed 30) and `Sex` (BYTES), p(class 1) =
 * sigmoid(weight·Age + (Sex == "female" ? 1 : -1)); outputs `label` (INT64 class index, or BYTES class
 * name when the classes are strings) and `probabilities` [N, 2].
 * Regressor: prediction = 2·Age + (Sex == "female" ? 10 : 0).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModuleManifest, Signature } from '../../src/modules/manifest.js';
import { GraphBuilder, attr, tensor } from '../../src/onnx/graph-builder.js';
import { openHome, type KilnHome } from '../../src/store/open-store.js';
import type { ModelVersion } from '../../src/store/store.js';

export const AGE_IMPUTED = 30;

export interface FixtureOptions {
  readonly name: string;
  readonly task?: 'binary' | 'regression';
  /** Coefficient of Age (classifier). */
  readonly weight?: number;
  /** Class labels; strings make `label` a BYTES output. */
  readonly classes?: readonly [string, string] | readonly [number, number];
  /** Registers garbage instead of an ONNX file (a version that cannot load). */
  readonly broken?: boolean;
}

const INPUTS: Signature['inputs'] = [
  { name: 'Age', datatype: 'FP32', shape: [-1, 1], kind: 'numeric' },
  { name: 'Sex', datatype: 'BYTES', shape: [-1, 1], kind: 'categorical' },
];

export function buildFixtureModule(options: FixtureOptions): { onnx: Uint8Array; manifest: ModuleManifest } {
  const task = options.task ?? 'binary';
  const g = new GraphBuilder(options.name);
  const ageIn = g.input('Age', 'float', ['N', 1]);
  const sex = g.input('Sex', 'string', ['N', 1]);
  const age = g.op('Where', [g.op('IsNaN', [ageIn]), g.constant('age_fill', tensor.float([AGE_IMPUTED])), ageIn]);
  const female = (female: number, male: number): string =>
    g.op('LabelEncoder', [sex], { keys_strings: attr.strings(['female', 'male']), values_floats: attr.floats([female, male]), default_float: attr.float(male) }, { domain: 'ai.onnx.ml' });

  let signature: Signature;
  let classes: readonly (string | number)[] | undefined;
  if (task === 'regression') {
    const prediction = g.op('Add', [g.op('Mul', [age, g.constant('two', tensor.float([2]))]), female(10, 0)]);
    g.output(prediction, 'prediction', 'float', ['N', 1]);
    signature = { inputs: INPUTS, outputs: [{ name: 'prediction', datatype: 'FP32', shape: [-1, 1] }] };
  } else {
    classes = options.classes ?? [0, 1];
    const z = g.op('Add', [g.op('Mul', [age, g.constant('w', tensor.float([options.weight ?? 0.05]))]), female(1, -1)]);
    const p = g.op('Sigmoid', [z]);
    const probabilities = g.op('Concat', [g.op('Sub', [g.constant('one', tensor.float([1])), p]), p], { axis: attr.int(1) });
    const index = g.op('ArgMax', [probabilities], { axis: attr.int(1), keepdims: attr.int(1) });
    const stringLabels = typeof classes[0] === 'string';
    const label = stringLabels
      ? g.op('LabelEncoder', [index], { keys_int64s: attr.ints([0, 1]), values_strings: attr.strings(classes as string[]), default_string: attr.string('') }, { domain: 'ai.onnx.ml' })
      : index;
    g.output(label, 'label', stringLabels ? 'string' : 'int64', ['N', 1]);
    g.output(probabilities, 'probabilities', 'float', ['N', 2]);
    signature = {
      inputs: INPUTS,
      outputs: [
        { name: 'label', datatype: stringLabels ? 'BYTES' : 'INT64', shape: [-1, 1] },
        { name: 'probabilities', datatype: 'FP32', shape: [-1, 2] },
      ],
    };
  }

  const manifest: ModuleManifest = {
    format: 1,
    name: options.name,
    task,
    target: task === 'regression' ? 'Fare' : 'Survived',
    ...(classes === undefined ? {} : { classes }),
    signature,
    learner: 'fixture',
    params: { weight: options.weight ?? 0.05 },
    metrics: {},
    dataset: { source: 'fixture.csv', digest: '0'.repeat(64), rows: 0, columns: 2 },
    seed: 0,
    trainedAt: new Date(0).toISOString(),
    kilnVersion: 'test',
  };
  const onnx = options.broken ? new TextEncoder().encode('this is not an ONNX file') : g.toBytes({ producerVersion: 'test' });
  return { onnx, manifest };
}

/** Registers the next version of a fixture module, as `kiln train` would. */
export async function registerFixture(home: Pick<KilnHome, 'store' | 'artifacts'>, options: FixtureOptions): Promise<ModelVersion> {
  const { onnx, manifest } = buildFixtureModule(options);
  const modelDigest = await home.artifacts.put(onnx);
  const manifestDigest = await home.artifacts.put(new TextEncoder().encode(JSON.stringify(manifest)));
  return home.store.createModelVersion({
    model: options.name,
    runId: null,
    artifacts: { 'model.onnx': modelDigest, 'manifest.json': manifestDigest },
    signature: manifest.signature,
    metrics: {},
  });
}

/** What the fixture classifier answers for p(class 1). */
export function expectedProbability(age: number | null, sex: string | null, weight = 0.05): number {
  const a = age === null ? AGE_IMPUTED : age;
  return 1 / (1 + Math.exp(-(weight * a + (sex === 'female' ? 1 : -1))));
}

/** A fresh Kiln home in a temporary folder; `remove()` closes it and deletes the folder. */
export async function tempHome(): Promise<KilnHome & { remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'kiln-serve-'));
  const home = await openHome(dir);
  return {
    ...home,
    async remove() {
      await home.store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
