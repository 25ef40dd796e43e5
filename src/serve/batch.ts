/**
 * A decoded batch: the model's inputs as host tensors, plus per-row views of a batch and of the model's
 * answers. The views are what a row-minded reader sees (the v1 API's predictions and the prediction
 * log): `{Age: 22, Sex: "male"}` in, `{label: 0, probabilities: {"0": 0.9, "1": 0.1}}` out.
 */
import { tensorElement, type HostTensor, type JsonElement } from './datatypes.js';
import type { LoadedModel } from './loaded-model.js';
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

/** `JSON.stringify(rowInputs(batch, i))`, written without making the object (the prediction log's path). */
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
  return (i) => {
    const row: Record<string, unknown> = {};
    for (const name of names) {
      const tensor = outputs[name] as HostTensor;
      const width = rows === 0 ? 0 : tensor.data.length / rows;
      row[name] =
        width === 1 ? tensorElement(tensor, i) : Array.from({ length: width }, (_, j): JsonElement | null => tensorElement(tensor, i * width + j));
    }
    return row;
  };
}

/**
 * `JSON.stringify(rowOutputReader(model, outputs, rows)(i))`, written without making the objects: the
 * prediction log's path. The layouts are rowOutputReader's; test/serve/row-json.test.ts holds the two
 * to the same text.
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
  return (i) => {
    let json = '';
    for (const name of names) {
      const tensor = outputs[name] as HostTensor;
      const width = rows === 0 ? 0 : tensor.data.length / rows;
      let value: string;
      if (width === 1) value = element(tensor, i);
      else {
        value = '[';
        for (let j = 0; j < width; j++) value += `${j === 0 ? '' : ','}${element(tensor, i * width + j)}`;
        value += ']';
      }
      json += `${json === '' ? '' : ','}${nameJson(name)}:${value}`;
    }
    return flat(`{${json}}`);
  };
}
