/**
 * A decoded batch: the model's inputs as host tensors, plus per-row views of a batch and of the model's
 * answers. The views are what a row-minded reader sees (the v1 API's predictions and the prediction
 * log): `{Age: 22, Sex: "male"}` in, `{label: 0, probabilities: {"0": 0.9, "1": 0.1}}` out.
 */
import { tensorElement, type HostTensor, type JsonElement } from './datatypes.js';
import type { LoadedModel } from './loaded-model.js';
import { recommendedCount } from '../modules/recommend/left-out-places.js';
import { ITEMS_OUTPUT, SCORES_OUTPUT } from '../modules/recommend/recommend-graph.js';
import type { Feeds } from './scheduler/batch-tensors.js';

export interface DecodedColumn {
  /** What the model is fed: `[rows, 1]` for a table column. */
  readonly tensor: HostTensor;
  /** The row values as the client sent them (`null` = missing), for the prediction log. */
  readonly values: ArrayLike<unknown>;
}

export interface DecodedBatch {
  readonly rows: number;
  /** One column per signature input, in signature order. */
  readonly columns: ReadonlyMap<string, DecodedColumn>;
}

export type ModelOutputs = Feeds;

export function feedsOf(batch: DecodedBatch): Record<string, HostTensor> {
  const feeds: Record<string, HostTensor> = {};
  for (const [name, column] of batch.columns) feeds[name] = column.tensor;
  return feeds;
}

/** Row `i` of the batch as `{column: value}`; missing values are `null`. */
export function rowInputs(batch: DecodedBatch, i: number): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [name, column] of batch.columns) row[name] = column.values[i] ?? null;
  return row;
}

/** A name as a JSON string, made once per name: the log writes the same few column names on every row. */
const NAME_JSON = new Map<string, string>();

function nameJson(name: string): string {
  let json = NAME_JSON.get(name);
  if (json === undefined) {
    json = JSON.stringify(name);
    if (NAME_JSON.size < 10_000) NAME_JSON.set(name, json);
  }
  return json;
}

/**
 * A string built by concatenation as one flat string. V8 keeps `a + b` as a tree of the parts; a log
 * record's text waits in the buffer until the next flush, and a tree of ten small strings is ten objects
 * for every garbage collection in between to copy, where a flat string is one. Converting to a number
 * flattens the string (the result is thrown away).
 */
function flat(text: string): string {
  void Number(text);
  return text;
}

/**
 * `JSON.stringify(rowInputs(batch, i))`, written without making the object: the text the prediction log
 * stores for a row's inputs (see rowOutputJsonReader for when the log calls it).
 */
export function rowInputsJson(batch: DecodedBatch, i: number): string {
  let json = '{';
  for (const [name, column] of batch.columns) {
    if (json.length > 1) json += ',';
    json += `${nameJson(name)}:${JSON.stringify(column.values[i] ?? null)}`;
  }
  return flat(`${json}}`);
}

/** The class names of a model's probability columns, made once per loaded model (this runs per request). */
const CLASS_NAMES = new WeakMap<LoadedModel, string[]>();

function classNamesOf(model: LoadedModel, k: number, classes: readonly unknown[] | undefined): string[] {
  let names = CLASS_NAMES.get(model);
  if (names === undefined || names.length !== k) {
    names = Array.from({ length: k }, (_, c) => String(classes?.[c] ?? c));
    CLASS_NAMES.set(model, names);
  }
  return names;
}

/**
 * A reader of per-row answers. Classification: `{label, probabilities: {classLabel: p}}` (class labels in
 * the manifest's order, which is the order of the `probabilities` columns); regression: `{prediction}`.
 * Any other graph gets `{output: value}` with a list for outputs wider than one element per row.
 */
export function rowOutputReader(model: LoadedModel, outputs: ModelOutputs, rows: number): (i: number) => Record<string, unknown> {
  const task = model.manifest?.task;
  const classes = model.manifest?.classes;
  const label = outputs['label'];
  const probabilities = outputs['probabilities'];
  const prediction = outputs['prediction'];

  if (task !== undefined && task !== 'regression' && label !== undefined && probabilities !== undefined) {
    const k = rows === 0 ? 0 : probabilities.data.length / rows;
    const classNames = classNamesOf(model, k, classes);
    return (i) => {
      const byClass: Record<string, number> = {};
      for (let c = 0; c < k; c++) byClass[classNames[c] as string] = tensorElement(probabilities, i * k + c) as number;
      return { label: tensorElement(label, i), probabilities: byClass };
    };
  }
  if (task === 'regression' && prediction !== undefined) {
    return (i) => ({ prediction: tensorElement(prediction, i) });
  }
  const names = [...model.outputs.keys()].filter((n) => outputs[n] !== undefined);
  const placesOf = recommendedPlaces(model, outputs, rows);
  return (i) => {
    const row: Record<string, unknown> = {};
    for (const name of names) {
      const tensor = outputs[name] as HostTensor;
      const width = rows === 0 ? 0 : tensor.data.length / rows;
      const shown = placesOf === undefined || !RECOMMEND_OUTPUTS.has(name) ? width : placesOf(i);
      row[name] =
        width === 1 ? tensorElement(tensor, i) : Array.from({ length: shown }, (_, j): JsonElement | null => tensorElement(tensor, i * width + j));
    }
    return row;
  };
}

/** A recommend graph's outputs, whose places past a row's last recommendation hold left-out items. */
const RECOMMEND_OUTPUTS: ReadonlySet<string> = new Set([ITEMS_OUTPUT, SCORES_OUTPUT]);

/**
 * For a recommend module's answer, how many of row i's k places are recommendations: a user with fewer
 * than k items left gets fewer items in a row answer (v1, the prediction log), as in `kiln predict`, not
 * items already rated scored -3.4e38 (left-out-places.ts). The tensors (v2) keep all k places.
 */
function recommendedPlaces(model: LoadedModel, outputs: ModelOutputs, rows: number): ((i: number) => number) | undefined {
  const scores = outputs[SCORES_OUTPUT];
  if (model.manifest?.task !== 'recommend' || scores === undefined || outputs[ITEMS_OUTPUT] === undefined || rows === 0) return undefined;
  const k = scores.data.length / rows;
  const data = scores.data as ArrayLike<number>;
  return (i) => recommendedCount(data, i, k);
}

/**
 * `JSON.stringify(rowOutputReader(model, outputs, rows)(i))`, written without making the objects: the
 * text the prediction log stores for a row's answer. The log keeps a row's elements in column buffers
 * and writes this same text on its writer thread (prediction-log-columns.ts, prediction-log-encode.ts);
 * it calls this only for answers whose elements do not divide into rows, and its tests compare the
 * columns' text with this. The layouts are rowOutputReader's; test/serve/row-json.test.ts holds the
 * two to the same text.
 */
export function rowOutputJsonReader(model: LoadedModel, outputs: ModelOutputs, rows: number): (i: number) => string {
  const task = model.manifest?.task;
  const label = outputs['label'];
  const probabilities = outputs['probabilities'];
  const prediction = outputs['prediction'];
  const element = (tensor: HostTensor, at: number): string => JSON.stringify(tensorElement(tensor, at));

  if (task !== undefined && task !== 'regression' && label !== undefined && probabilities !== undefined) {
    const k = rows === 0 ? 0 : probabilities.data.length / rows;
    const keys = classNamesOf(model, k, model.manifest?.classes).map(nameJson);
    return (i) => {
      let byClass = '';
      for (let c = 0; c < k; c++) byClass += `${c === 0 ? '' : ','}${keys[c] as string}:${element(probabilities, i * k + c)}`;
      return flat(`{"label":${element(label, i)},"probabilities":{${byClass}}}`);
    };
  }
  if (task === 'regression' && prediction !== undefined) {
    return (i) => flat(`{"prediction":${element(prediction, i)}}`);
  }
  const names = [...model.outputs.keys()].filter((n) => outputs[n] !== undefined);
  const placesOf = recommendedPlaces(model, outputs, rows);
  return (i) => {
    let json = '';
    for (const name of names) {
      const tensor = outputs[name] as HostTensor;
      const width = rows === 0 ? 0 : tensor.data.length / rows;
      const shown = placesOf === undefined || !RECOMMEND_OUTPUTS.has(name) ? width : placesOf(i);
      let value: string;
      if (width === 1) value = element(tensor, i);
      else {
        value = '[';
        for (let j = 0; j < shown; j++) value += `${j === 0 ? '' : ','}${element(tensor, i * width + j)}`;
        value += ']';
      }
      json += `${json === '' ? '' : ','}${nameJson(name)}:${value}`;
    }
    return flat(`{${json}}`);
  };
}

/**
 * How a row's answer is laid out, as rowOutputReader and rowOutputJsonReader write it, for the prediction
 * log's column buffers: the row's elements, in the order the text writes them, are `widths[t]` elements
 * of tensor `tensorNames[t]` for each t (the elements of row i are at i × width … of each tensor).
 *
 *   classification  `{label, probabilities: {class: p}}` from label (1 per row) and probabilities (k per row)
 *   regression      `{prediction}` from prediction (1 per row)
 *   tensors         `{name: value}` for every output present, a list when an output has more than 1 per row
 *   (recommend answers have no fixed layout: a row stops at its last recommendation)
 */
export interface RowOutputLayout {
  readonly kind: 'classification' | 'regression' | 'tensors';
  readonly tensorNames: readonly string[];
  readonly widths: readonly number[];
  /** Elements per row, all tensors together. */
  readonly width: number;
  /** The class names (classification) or the output names (tensors), as the text's keys. */
  readonly keys: readonly string[];
  /** Equal for equal layouts: a buffer holds rows of one layout. */
  readonly key: string;
}

const REGRESSION_LAYOUT: RowOutputLayout = { kind: 'regression', tensorNames: ['prediction'], widths: [1], width: 1, keys: [], key: 'regression' };
/** A classifier's layout, made once per loaded model (this runs per logged request). */
const CLASSIFICATION_LAYOUTS = new WeakMap<LoadedModel, RowOutputLayout>();

/** The layout of a served answer (rowOutputReader's cases); undefined when an output's elements do not divide into rows. */
export function rowOutputLayout(model: LoadedModel, outputs: ModelOutputs, rows: number): RowOutputLayout | undefined {
  if (rows === 0) return undefined;
  const task = model.manifest?.task;
  const probabilities = outputs['probabilities'];
  if (task !== undefined && task !== 'regression' && outputs['label'] !== undefined && probabilities !== undefined) {
    const k = probabilities.data.length / rows;
    if (!Number.isInteger(k)) return undefined;
    let layout = CLASSIFICATION_LAYOUTS.get(model);
    if (layout === undefined || layout.width !== k + 1) {
      const keys = classNamesOf(model, k, model.manifest?.classes);
      layout = { kind: 'classification', tensorNames: ['label', 'probabilities'], widths: [1, k], width: k + 1, keys, key: `classification\u0000${keys.join('\u0000')}` };
      CLASSIFICATION_LAYOUTS.set(model, layout);
    }
    return layout;
  }
  if (task === 'regression' && outputs['prediction'] !== undefined) return REGRESSION_LAYOUT;
  // a recommend row's length depends on its scores (recommendedPlaces): written row by row as text
  if (recommendedPlaces(model, outputs, rows) !== undefined) return undefined;
  const names = [...model.outputs.keys()].filter((n) => outputs[n] !== undefined);
  const widths = names.map((n) => (outputs[n] as HostTensor).data.length / rows);
  if (!widths.every((w) => Number.isInteger(w))) return undefined;
  return { kind: 'tensors', tensorNames: names, widths, width: widths.reduce((a, b) => a + b, 0), keys: names, key: `tensors\u0000${names.join('\u0000')}\u0000${widths.join(',')}` };
}
