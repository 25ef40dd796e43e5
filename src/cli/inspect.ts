/**
 * `kiln inspect SOURCE [--target COL] [--json] [--html FILE]`: profile a table and list, in plain
 * words, what is wrong with it before training. Statistics are computed inside DuckDB, so a file
 * larger than memory is fine.
 */
import type { Command } from 'commander';
import { KilnError } from '../core/errors.js';
import type { Finding } from '../data/profile/findings.js';
import type { InspectReport } from '../data/profile/inspect.js';
import type { ColumnProfile } from '../data/profile/profile-types.js';
import { commandContext } from './context.js';
import { table } from './output.js';
import { checkOutputFile, writeOutputFile } from './output-file.js';

interface InspectFlags {
  readonly target?: string;
  readonly html?: string;
  readonly onBadRows?: string;
  readonly sheet?: string;
  readonly encoding?: string;
}

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('profile a table and list quality problems (missing values, leakage, imbalance, …) in plain words')
    .argument('<source>', "a file (.csv .tsv .json .ndjson .parquet .xlsx), sqlite:FILE?table=T, postgres://…?table=T, or sql:SELECT …")
    .option('--target <column>', 'the column to predict: adds class balance and leakage checks')
    .option('--html <file>', 'also write a self-contained HTML report with charts')
    .option('--on-bad-rows <policy>', 'stop (default) at a malformed row, or skip malformed rows and count them')
    .option('--sheet <name>', 'the Excel sheet to read (default: the first)')
    .option('--encoding <name>', 'the text encoding when not UTF-8: latin-1, utf-16')
    .action(async (source: string, opts: InspectFlags, cmd: Command) => {
      const ctx = commandContext(cmd);
      const onBadRows = opts.onBadRows ?? 'stop';
      if (onBadRows !== 'stop' && onBadRows !== 'skip') {
        throw new KilnError('INVALID_PARAMS', { what: 'inspect options', summary: `--on-bad-rows must be "stop" or "skip", not "${onBadRows}"` });
      }
      if (opts.html !== undefined) checkOutputFile(opts.html);
      const started = Date.now();
      const { inspectSource } = await import('../data/profile/inspect.js');
      const report = await inspectSource(source, {
        onBadRows,
        ...(opts.target === undefined ? {} : { target: opts.target }),
        ...(opts.sheet === undefined ? {} : { sheet: opts.sheet }),
        ...(opts.encoding === undefined ? {} : { encoding: opts.encoding }),
        onProgress: (message) => progress(message, started),
      });
      if (report.skippedRows > 0) process.stderr.write(`• skipped ${report.skippedRows} malformed row(s)\n`);
      if (opts.html !== undefined) {
        const { renderHtmlReport } = await import('../data/report/html-report.js');
        writeOutputFile(opts.html, renderHtmlReport(report));
        process.stderr.write(`• wrote the report to ${opts.html}\n`);
      }
      ctx.out.result(report, () => inspectSummary(report));
    });
}

/**
 * Stage lines on stderr (even with --json: stdout carries only the document): always on a terminal;
 * in logs and pipes only once a run has taken more than a second, so small files stay quiet.
 */
function progress(message: string, started: number): void {
  const seconds = (Date.now() - started) / 1000;
  if (process.stderr.isTTY === true || seconds >= 1) process.stderr.write(`• ${message} (${seconds.toFixed(1)} s)\n`);
}

function inspectSummary(r: InspectReport): string {
  const lines = [
    `${r.source}: ${r.rows.toLocaleString('en-US')} rows × ${r.columns.length} columns` +
      (r.skippedRows > 0 ? ` (${r.skippedRows} malformed rows skipped)` : '') +
      (r.duplicateRows > 0 ? `, ${r.duplicateRows.toLocaleString('en-US')} duplicate rows` : ''),
    '',
    table(['column', 'type', 'missing', 'distinct', 'summary'], r.columns.map((c) => [
      c.name + (c.name === r.target?.name ? ' (target)' : ''),
      c.type,
      c.missing === 0 ? '-' : `${c.missing} (${(c.missingShare * 100).toFixed(1)} %)`,
      `${c.distinctExact ? '' : '~'}${c.distinct}`,
      columnSummary(c),
    ])),
    '',
  ];
  if (r.target?.task === 'classification') {
    lines.push(`target ${r.target.name}: ${r.target.classes.slice(0, 8).map((k) => `${k.value} ${k.count}`).join(', ')}`, '');
  }
  if (r.findings.length === 0) lines.push('no problems found');
  else {
    lines.push(`${r.findings.length} finding(s):`);
    for (const f of r.findings) lines.push(findingLine(f));
  }
  return lines.join('\n');
}

function columnSummary(c: ColumnProfile): string {
  const n = c.numeric;
  const fmt = (x: number) => Number(x.toPrecision(4)).toString();
  if (n !== undefined) return `${fmt(n.min)} … ${fmt(n.max)}, mean ${fmt(n.mean)}, median ${fmt(n.quantiles.p50)}`;
  if (c.datetime !== undefined) return `${c.datetime.min} … ${c.datetime.max}`;
  return c.topValues.slice(0, 3).map((v) => `${v.value.length > 18 ? v.value.slice(0, 17) + '…' : v.value} (${v.count})`).join(', ');
}

function findingLine(f: Finding): string {
  return `  [${f.severity}] ${f.code}: ${f.message}\n      fix: ${f.fix}`;
}
