/**
 * The table an unsupervised module (segments, anomalies) learns from: read, with a separate test table
 * appended when the spec names one, and its columns planned as the tabular trainer plans them (the
 * same preprocessing: median imputation + standardisation for numbers, most-frequent + one-hot for
 * categories). A column that only evaluates the module (known groups, known anomalies) is set apart
 * and never becomes a feature.
 */
import { KilnError } from '../../core/errors.js';
import { Frame, type Column } from '../../core/frame.js';
import { inferSchema } from '../../data/infer-schema.js';
import type { LoadedTable } from '../../data/sources/csv.js';
import { randomSplit, stratifiedSplit, type Split } from '../../data/split.js';
import type { ColumnPlan } from '../../features/tabular-preprocessor.js';
import { readTrainingTables, trainingFrame } from '../read-training-tables.js';
import type { LoadedSpec } from '../spec.js';
import type { TrainListener } from '../train-events.js';
import { planColumns, type ExcludedColumn } from '../tabular/plan-columns.js';

export interface ModuleTable {
  readonly table: LoadedTable;
  /** The training table's rows, then the test table's rows when the spec names one. */
  readonly frame: Frame;
  /** How many of the frame's last rows came from the separate test table (0 without one). */
  readonly appendedTestRows: number;
  readonly features: readonly ColumnPlan[];
  readonly excluded: readonly ExcludedColumn[];
  /** The column used only to evaluate, when the spec names one. */
  readonly evaluation: Column | undefined;
}

export async function readModuleTable(loaded: LoadedSpec, emit: TrainListener, evaluationColumn: string | undefined): Promise<ModuleTable> {
  const { spec } = loaded;
  // what reading changed (numbers read from "$1,234", "N/A" read as missing, …) is said as notes there
  const tables = await readTrainingTables(loaded, emit);
  const { table } = tables;
  const frame = trainingFrame(tables, loaded);
  const appendedTestRows = tables.testTable?.frame.nRows ?? 0;
  emit({ type: 'stage', stage: 'schema', message: `${frame.nRows} rows × ${frame.columns.length} columns` });

  let evaluation: Column | undefined;
  if (evaluationColumn !== undefined) {
    evaluation = frame.get(evaluationColumn);
    if (evaluation === undefined) {
      throw new KilnError('COLUMN_NOT_FOUND', { column: evaluationColumn, columns: frame.names });
    }
  }
  // planColumns leaves the spec's target out of the features: the evaluation column plays that part.
  const schema = inferSchema(frame, table.sourceTypes);
  const { features, excluded } = planColumns(schema, { ...spec, ...(evaluationColumn === undefined ? {} : { target: evaluationColumn }) });
  for (const e of excluded) emit({ type: 'note', message: `left out "${e.name}" (${e.reason})` });
  return { table, frame, appendedTestRows, features, excluded, evaluation };
}

/**
 * The rows to fit on and the rows held out: the separate test table's rows when there is one, else a
 * seeded random part (stratified by `strata` when given, so that a 1% anomaly share stays 1% in both).
 */
export function holdout(t: ModuleTable, testFraction: number, seed: number, strata?: { classes: Int32Array; nClasses: number }): Split {
  const n = t.frame.nRows;
  if (t.appendedTestRows > 0) {
    const nTrain = n - t.appendedTestRows;
    return { train: Int32Array.from({ length: nTrain }, (_, i) => i), test: Int32Array.from({ length: t.appendedTestRows }, (_, i) => nTrain + i) };
  }
  const split = strata === undefined ? randomSplit(n, testFraction, seed) : stratifiedSplit(strata.classes, strata.nClasses, testFraction, seed);
  if (split.train.length < 2 || split.test.length < 1) {
    throw new KilnError('TOO_FEW_ROWS', { what: 'the data', rows: n, needed: Math.ceil(3 / Math.min(testFraction, 1 - testFraction)) });
  }
  return split;
}

/** The frame with every number rounded to float32, as the graph's FP32 input tensors carry it. */
export function roundedToFloat32(frame: Frame): Frame {
  return new Frame(frame.columns.map((c): Column => (c.kind === 'numeric' ? { ...c, values: c.values.map(Math.fround) } : c)));
}
