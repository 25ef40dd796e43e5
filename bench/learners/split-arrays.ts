/**
 * The seeded, stratified 80/20 split the learner benchmarks share: written once by scikit-learn's
 * `train_test_split` (the peer's own split) as raw float64 files, read back by Kiln without parsing a CSV,
 * so both sides train and test on exactly the same rows.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMatrix, type Matrix } from '../../src/core/matrix.js';

const SPLIT_PY = `
import sys, json, os, numpy as np, pandas as pd
from sklearn.model_selection import train_test_split
data, target, out = sys.argv[1:4]
df = pd.read_csv(data)
y = df[target].values.astype(np.float64); X = df.drop(columns=[target]).values.astype(np.float64)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=42, stratify=y)
os.makedirs(out, exist_ok=True)
for name, a in [('Xtrain', Xtr), ('ytrain', ytr), ('Xtest', Xte), ('ytest', yte)]:
    np.ascontiguousarray(a).tofile(os.path.join(out, name + '.f64'))
json.dump({'train': len(ytr), 'test': len(yte), 'cols': X.shape[1]}, open(os.path.join(out, 'shape.json'), 'w'))
`;

/** Writes the split of `data` into `dir` unless it is already there. */
export function ensureSplitArrays(data: string, target: string, dir: string): void {
  if (existsSync(join(dir, 'shape.json'))) return;
  console.error(`writing the seeded split of ${data} to ${dir} …`);
  execFileSync('/usr/bin/python3', ['-c', SPLIT_PY, data, target, dir], { stdio: 'inherit' });
}

export interface SplitArrays {
  readonly Xtrain: Matrix;
  readonly ytrain: Int32Array;
  readonly Xtest: Matrix;
  readonly ytest: Int32Array;
}

export function readSplitArrays(dir: string): SplitArrays {
  const shape = JSON.parse(readFileSync(join(dir, 'shape.json'), 'utf8')) as { train: number; test: number; cols: number };
  const read = (name: string): Float64Array => {
    const buf = readFileSync(join(dir, `${name}.f64`));
    return new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
  };
  return {
    Xtrain: createMatrix(shape.train, shape.cols, read('Xtrain')),
    ytrain: Int32Array.from(read('ytrain')),
    Xtest: createMatrix(shape.test, shape.cols, read('Xtest')),
    ytest: Int32Array.from(read('ytest')),
  };
}

/** Peak resident memory in MB, and user + system CPU seconds, from `/usr/bin/time -v` output. */
export function timeStats(stderr: string): { peak_mb: number; process_cpu_s: number } {
  const num = (re: RegExp): number => Number(re.exec(stderr)?.[1] ?? Number.NaN);
  return {
    peak_mb: num(/Maximum resident set size \(kbytes\): (\d+)/) / 1024,
    process_cpu_s: num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/),
  };
}
