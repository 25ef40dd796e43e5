/**
 * Datetime parts: a date or time becomes numbers a model can use — year, month, day, weekday
 * (Monday = 0, as pandas), hour, minute, second, day of year (1-based), quarter — all in UTC.
 *
 * In Kiln a datetime column arrives as ISO 8601 text (2024-03-01, 2024-03-01T12:30:00Z, with an
 * optional offset; no offset means UTC) or as epoch milliseconds (or seconds, with unit "s").
 *
 * In ONNX a datetime column is an INT64 [N, 1] input of epoch MILLISECONDS (UTC), with
 * INT64_MIN (-9223372036854775808) marking a missing value — the client converts its dates, since
 * ONNX cannot parse text (see docs/decisions.md, "Datetimes enter ONNX as int64 epoch
 * milliseconds"). The graph derives the parts with exact double arithmetic (Hinnant's
 * days-to-civil algorithm) and emits NaN parts for a missing time, which the imputer that follows
 * fills.
 */
import { KilnError } from '../core/errors.js';
import type { Column } from '../core/frame.js';
import { isMissingCategory } from '../core/frame.js';
import { attr, tensor, type GraphBuilder } from '../onnx/graph-builder.js';
import type { Block } from './block.js';

export const DATETIME_PARTS = ['year', 'month', 'day', 'weekday', 'hour', 'minute', 'second', 'dayofyear', 'quarter'] as const;
export type DatetimePart = (typeof DATETIME_PARTS)[number];
export const DEFAULT_DATETIME_PARTS: readonly DatetimePart[] = ['year', 'month', 'day', 'weekday', 'hour'];

/** The missing-value marker of an INT64 epoch-milliseconds input. */
export const MISSING_EPOCH_MS = -9223372036854775808n;

const DAY_MS = 86_400_000;

// ISO 8601 date, optional time (T or space), optional fraction, optional Z or ±HH:MM offset.
const ISO = /^(-?\d{4,6})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** Epoch milliseconds of an ISO 8601 date/time (UTC unless it names an offset); NaN if it is not one. */
export function parseIsoToEpochMs(text: string): number {
  const m = ISO.exec(text.trim());
  if (m === null) return Number.NaN;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31) return Number.NaN;
  const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  const date = new Date(0);
  date.setUTCFullYear(Number(y), month - 1, day);
  date.setUTCHours(Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), ms);
  if (date.getUTCDate() !== day) return Number.NaN; // 2024-02-30 and the like
  let epoch = date.getTime();
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    epoch -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return epoch;
}

/**
 * A datetime column as epoch milliseconds (NaN = missing). Text must be ISO 8601 or a number;
 * numbers are epoch values in `unit`.
 */
export function toEpochMs(column: Column, unit: 'ms' | 's' = 'ms'): Float64Array {
  const factor = unit === 's' ? 1000 : 1;
  if (column.kind === 'numeric') return column.values.map((v) => v * factor);
  return Float64Array.from(column.values, (v, i) => {
    if (isMissingCategory(v)) return Number.NaN;
    const text = (v as string).trim();
    const asNumber = /^-?\d+(\.\d+)?$/.test(text) ? Number(text) * factor : Number.NaN;
    const ms = Number.isNaN(asNumber) ? parseIsoToEpochMs(text) : asNumber;
    if (Number.isNaN(ms)) throw new KilnError('INVALID_DATETIME', { column: column.name, row: i + 1, value: v });
    return ms;
  });
}

/** One part of one time (UTC), the obvious way: through Date. */
export function datetimePart(epochMs: number, part: DatetimePart): number {
  if (Number.isNaN(epochMs)) return Number.NaN;
  const d = new Date(epochMs);
  switch (part) {
    case 'year':
      return d.getUTCFullYear();
    case 'month':
      return d.getUTCMonth() + 1;
    case 'day':
      return d.getUTCDate();
    case 'weekday':
      return (d.getUTCDay() + 6) % 7;
    case 'hour':
      return d.getUTCHours();
    case 'minute':
      return d.getUTCMinutes();
    case 'second':
      return d.getUTCSeconds();
    case 'dayofyear':
      return Math.floor((epochMs - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY_MS) + 1;
    case 'quarter':
      return Math.floor(d.getUTCMonth() / 3) + 1;
  }
}

export interface SerializedDatetimeParts {
  readonly type: 'datetime-parts';
  readonly column: string;
  readonly parts: readonly DatetimePart[];
  /** How plain numbers in the column are read (ONNX input is always milliseconds). */
  readonly unit: 'ms' | 's';
}

export class DatetimeParts {
  private constructor(readonly state: SerializedDatetimeParts) {}

  /** Nothing to learn: the parts are fixed by the options. */
  static create(column: string, parts: readonly DatetimePart[] = DEFAULT_DATETIME_PARTS, unit: 'ms' | 's' = 'ms'): DatetimeParts {
    return new DatetimeParts({ type: 'datetime-parts', column, parts: [...parts], unit });
  }

  static fromJSON(json: SerializedDatetimeParts): DatetimeParts {
    return new DatetimeParts(json);
  }

  toJSON(): SerializedDatetimeParts {
    return this.state;
  }

  get width(): number {
    return this.state.parts.length;
  }

  featureNames(): string[] {
    return this.state.parts.map((p) => `${this.state.column}.${p}`);
  }

  transform(column: Column): Block {
    const ms = toEpochMs(column, this.state.unit);
    return this.state.parts.map((part) => ms.map((t) => datetimePart(t, part)));
  }

  /** `x` is the INT64 [N, 1] epoch-milliseconds input; returns float [N, parts] with NaN for missing. */
  toOnnx(g: GraphBuilder, x: string): string {
    const h = this.state.column;
    const c = (v: number): string => g.constant(`${h}_k${v}`, tensor.double([v], []));
    const op = (type: string, inputs: string[], name: string): string => g.op(type, inputs, {}, { name: `${h}_${name}` });
    const add = (a: string, b: string, n: string): string => op('Add', [a, b], n);
    const sub = (a: string, b: string, n: string): string => op('Sub', [a, b], n);
    const mul = (a: string, b: string, n: string): string => op('Mul', [a, b], n);
    const floorDiv = (a: string, b: number, n: string): string => op('Floor', [op('Div', [a, c(b)], `${n}_q`)], n);

    const missing = g.op('Equal', [x, g.constant(`${h}_missing_marker`, { type: 'int64', dims: [], values: [Number(MISSING_EPOCH_MS)] })], {}, { name: `${h}_missing` });
    const ms = g.op('Cast', [x], { to: attr.int(11 /* DOUBLE */) }, { name: `${h}_ms` });
    const days = floorDiv(ms, DAY_MS, 'days');
    const msOfDay = sub(ms, mul(days, c(DAY_MS), 'days_ms'), 'ms_of_day');
    const minutesOfDay = floorDiv(msOfDay, 60_000, 'minutes_of_day');
    const secondsOfDay = floorDiv(msOfDay, 1000, 'seconds_of_day');
    const hour = floorDiv(msOfDay, 3_600_000, 'hour');
    const minute = sub(minutesOfDay, mul(hour, c(60), 'hour_min'), 'minute');
    const second = sub(secondsOfDay, mul(minutesOfDay, c(60), 'minute_s'), 'second');
    const weekdayShift = add(days, c(3), 'weekday_shift'); // 1970-01-01 was a Thursday (3)
    const weekday = sub(weekdayShift, mul(floorDiv(weekdayShift, 7, 'weeks'), c(7), 'weeks_d'), 'weekday');

    // Hinnant's civil_from_days.
    const z = add(days, c(719_468), 'z');
    const era = floorDiv(z, 146_097, 'era');
    const doe = sub(z, mul(era, c(146_097), 'era_days'), 'doe');
    const yoeA = sub(doe, floorDiv(doe, 1460, 'doe_1460'), 'yoe_a');
    const yoeB = add(yoeA, floorDiv(doe, 36_524, 'doe_36524'), 'yoe_b');
    const yoeNum = sub(yoeB, floorDiv(doe, 146_096, 'doe_146096'), 'yoe_num');
    const yoe = floorDiv(yoeNum, 365, 'yoe');
    const doy = sub(doe, sub(add(mul(yoe, c(365), 'yoe_365'), floorDiv(yoe, 4, 'yoe_4'), 'doy_a'), floorDiv(yoe, 100, 'yoe_100'), 'doy_b'), 'doy');
    const mp = floorDiv(add(mul(doy, c(5), 'doy_5'), c(2), 'mp_num'), 153, 'mp');
    const day = add(sub(doy, floorDiv(add(mul(mp, c(153), 'mp_153'), c(2), 'day_num'), 5, 'day_off'), 'day_0'), c(1), 'day');
    const month = sub(add(mp, c(3), 'month_a'), mul(floorDiv(mp, 10, 'mp_10'), c(12), 'month_wrap'), 'month');
    const year = add(add(yoe, mul(era, c(400), 'era_400'), 'year_a'), floorDiv(sub(c(14), month, 'month_rev'), 12, 'jan_feb'), 'year');
    // Day of year: days since 1 January of `year` (days_from_civil(year, 1, 1)), plus 1.
    const y1 = sub(year, c(1), 'y1');
    const era1 = floorDiv(y1, 400, 'era1');
    const yoe1 = sub(y1, mul(era1, c(400), 'era1_400'), 'yoe1');
    const doe1 = add(sub(add(mul(yoe1, c(365), 'yoe1_365'), floorDiv(yoe1, 4, 'yoe1_4'), 'doe1_a'), floorDiv(yoe1, 100, 'yoe1_100'), 'doe1_b'), c(306), 'doe1');
    const jan1 = sub(add(mul(era1, c(146_097), 'era1_days'), doe1, 'jan1_a'), c(719_468), 'jan1');
    const dayofyear = add(sub(days, jan1, 'doy0'), c(1), 'dayofyear');
    const quarter = add(floorDiv(sub(month, c(1), 'month0'), 3, 'quarter0'), c(1), 'quarter');

    const byName: Record<DatetimePart, string> = { year, month, day, weekday, hour, minute, second, dayofyear, quarter };
    const chosen = this.state.parts.map((p) => byName[p]);
    const parts = chosen.length === 1 ? (chosen[0] as string) : g.op('Concat', chosen, { axis: attr.int(1) }, { name: `${h}_parts_d` });
    const withMissing = g.op('Where', [missing, c(Number.NaN), parts], {}, { name: `${h}_parts_or_nan` });
    return g.op('Cast', [withMissing], { to: attr.int(1 /* FLOAT */) }, { name: `${h}_parts` });
  }
}
