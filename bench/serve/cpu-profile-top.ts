/**
 * Summarises a V8 CPU profile (`node --cpu-prof` writes one `.cpuprofile` per thread): the functions
 * with the most self time, and the same time grouped by package / source folder — enough to see where a
 * request's microseconds go without a flame-graph viewer.
 *
 *   node --import tsx bench/serve/cpu-profile-top.ts FILE.cpuprofile [--top 30] [--inclusive REGEX-OF-FILE-URLS] [--requests N]
 *
 * `--requests N` (the number of requests the profiled run served) adds µs per request; `--from-us T` counts only
 * the samples taken from T on (µs on process.hrtime's clock). profile-infer.ts prints both for its run.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  /** µs on the monotonic clock (the one process.hrtime reads); each sample's time is this plus the deltas so far. */
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTime {
  readonly name: string;
  readonly ms: number;
  readonly share: number;
}

/**
 * The samples taken at or after `fromUs` (µs on process.hrtime's clock; 0 = all): a profile of a server
 * under load, without its start-up and warm-up. Yields each sample's node id and the time it stands for.
 */
function* samplesFrom(profile: CpuProfile, fromUs: number): Generator<readonly [number, number]> {
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = Math.max(0, profile.timeDeltas[i] ?? 0);
    at += delta;
    // timeDeltas[i] is the time before sample i; attributing it to sample i is what Chrome's viewer does.
    if (at >= fromUs) yield [profile.samples[i] as number, delta];
  }
}

/** Self time per function (`name file:line`) and per place (package or source folder), largest first. */
export function summariseProfile(profile: CpuProfile, fromUs = 0): { readonly totalMs: number; readonly functions: SelfTime[]; readonly places: SelfTime[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (const [id, us] of samplesFrom(profile, fromUs)) selfUs.set(id, (selfUs.get(id) ?? 0) + us);
  const functions = new Map<string, number>();
  const places = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (node === undefined) continue;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = shortUrl(url);
    const fn = `${functionName || '(anonymous)'} ${file}${file === '' ? '' : `:${lineNumber + 1}`}`;
    functions.set(fn, (functions.get(fn) ?? 0) + us);
    const place = placeOf(functionName, url);
    places.set(place, (places.get(place) ?? 0) + us);
  }
  const rank = (m: Map<string, number>): SelfTime[] =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, ms: us / 1000, share: total === 0 ? 0 : us / total }));
  return { totalMs: total / 1000, functions: rank(functions), places: rank(places) };
}

/** `file:///work/main/node_modules/fastify/lib/route.js` → `fastify/lib/route.js`; sources relative to the repo. */
function shortUrl(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  const src = url.search(/\/(src|bench|test)\//);
  if (src >= 0) return url.slice(src + 1);
  return url.replace(/^file:\/\//, '');
}

/** A package name, a Kiln source folder, `node:<internal>` or a V8 pseudo-frame such as (garbage collector). */
function placeOf(functionName: string, url: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') === true ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? url);
  }
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0] ?? ''}`;
  const src = /\/(src\/[^/]+(?:\/[^/]+)?)\/[^/]+$/.exec(url);
  if (src !== null) return src[1] as string;
  return shortUrl(url);
}

/**
 * Inclusive time (the function and everything it called) of the functions whose file matches `filter`,
 * largest first: where a request's time goes, seen from Kiln's own code.
 */
export function inclusiveTimes(profile: CpuProfile, filter: RegExp, fromUs = 0): SelfTime[] {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const inclusive = new Map<string, number>();
  let total = 0;
  for (const [sample, us] of samplesFrom(profile, fromUs)) {
    total += us;
    const seen = new Set<string>(); // a recursive function counts once per sample
    for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id);
      if (node === undefined || !filter.test(node.callFrame.url)) continue;
      const key = `${node.callFrame.functionName || '(anonymous)'} ${shortUrl(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  return [...inclusive.entries()].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, ms: us / 1000, share: total === 0 ? 0 : us / total }));
}

/** The summary as Markdown tables; given the number of requests served, also µs per request. */
export function formatSummary(summary: ReturnType<typeof summariseProfile>, top: number, requests?: number): string {
  const perRequest = requests !== undefined && requests > 0;
  const us = (ms: number): string => (perRequest ? ` ${((ms * 1000) / requests).toFixed(2)} |` : '');
  const head = perRequest ? ' µs/req |' : '';
  const rule = perRequest ? '---:|' : '';
  const lines = [`total sampled: ${summary.totalMs.toFixed(0)} ms${perRequest ? ` over ${requests} requests` : ''}`, '', `| self ms | share |${head} function |`, `|---:|---:|${rule}---|`];
  for (const f of summary.functions.slice(0, top)) lines.push(`| ${f.ms.toFixed(1)} | ${(f.share * 100).toFixed(1)}% |${us(f.ms)} ${f.name} |`);
  lines.push('', `| self ms | share |${head} where |`, `|---:|---:|${rule}---|`);
  for (const p of summary.places.slice(0, Math.min(top, 20))) lines.push(`| ${p.ms.toFixed(1)} | ${(p.share * 100).toFixed(1)}% |${us(p.ms)} ${p.name} |`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (file === undefined) {
    console.error('usage: node --import tsx bench/serve/cpu-profile-top.ts FILE.cpuprofile [--top 30]');
    process.exit(2);
  }
  const topArg = process.argv.indexOf('--top');
  const top = topArg > 0 ? Number(process.argv[topArg + 1]) : 30;
  const requestsArg = process.argv.indexOf('--requests');
  const requests = requestsArg > 0 ? Number(process.argv[requestsArg + 1]) : undefined;
  const fromArg = process.argv.indexOf('--from-us');
  const fromUs = fromArg > 0 ? Number(process.argv[fromArg + 1]) : 0;
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  console.log(formatSummary(summariseProfile(profile, fromUs), top, requests));
  const inclusiveArg = process.argv.indexOf('--inclusive');
  if (inclusiveArg > 0) {
    console.log('\n| inclusive ms | share | function |\n|---:|---:|---|');
    for (const f of inclusiveTimes(profile, new RegExp(process.argv[inclusiveArg + 1] ?? '/src/'), fromUs).slice(0, top)) {
      console.log(`| ${f.ms.toFixed(1)} | ${(f.share * 100).toFixed(1)}% | ${requests === undefined ? '' : `${((f.ms * 1000) / requests).toFixed(2)} µs/req | `}${f.name} |`);
    }
  }
}
