/**
 * Time-ordered ids in the UUID version 7 layout (RFC 9562): the first 48 bits are the Unix time in
 * milliseconds, so an id tells when it was made. The server names each request with one, and the
 * prediction log uses that: a record whose request id was made shortly before the record was logged can
 * be found again from the id alone, by looking at the log batches of that moment, without a
 * per-prediction index (src/store/prediction-batch.ts).
 *
 * Layout here: 48-bit time · version 7 · 12 random bits fixed per process · variant 10 · 30 random bits
 * fixed per process · a 32-bit counter. The per-process bits keep ids of different processes apart (42
 * random bits); the counter keeps them unique within one (2^32 ids per millisecond before it wraps), and
 * a counter is cheaper per request than fresh randomness.
 */
import { randomBytes } from 'node:crypto';

const random = randomBytes(6);
/** 12 random bits after the version nibble. */
const RAND_A = `7${((random.readUInt16BE(0) & 0x0fff) >>> 0).toString(16).padStart(3, '0')}`;
/** The variant bits (10) and 14 random bits, then 16 more random bits: the first half of the last two groups. */
const RAND_B_HIGH = (0x8000 | (random.readUInt16BE(2) & 0x3fff)).toString(16);
const RAND_B_MID = random.readUInt16BE(4).toString(16).padStart(4, '0');

let counter = 0;
let stampMs = -1;
let stampPrefix = '';

/** A new time-ordered id, e.g. `0193a6f2-7c41-7abc-9def-1234000000a5`. */
export function timeOrderedId(now = Date.now()): string {
  if (now !== stampMs) {
    stampMs = now;
    const hex = now.toString(16).padStart(12, '0');
    stampPrefix = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${RAND_A}-${RAND_B_HIGH}-${RAND_B_MID}`;
  }
  counter = (counter + 1) >>> 0;
  return stampPrefix + counter.toString(16).padStart(8, '0');
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** When a UUID version 7 id was made (epoch ms), or undefined for any other id. */
export function idTime(id: string): number | undefined {
  // the version digit first: most other ids fail here, before the pattern (this runs once per logged prediction)
  if (id.length !== 36 || id.charCodeAt(14) !== 0x37 /* '7' */ || !UUID_V7.test(id)) return undefined;
  return parseInt(id.slice(0, 8), 16) * 0x10000 + parseInt(id.slice(9, 13), 16);
}
