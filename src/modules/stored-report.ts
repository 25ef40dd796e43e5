/**
 * A version's report.json as its readers (the app's API, `kiln report`) get it, whichever Kiln wrote it.
 * A text-classify module's report named the configuration cross-validation chose `model` — the name
 * both readers give the module itself, so the description was lost under it. Reports now call it
 * `configuration`; older ones are read as if they did, so that every version answers alike.
 */
import type { ModuleTask } from './manifest.js';

export function parseStoredReport(task: ModuleTask, text: string): Record<string, unknown> {
  const report = JSON.parse(text) as Record<string, unknown>;
  if (task !== 'text-classify' || report['configuration'] !== undefined || typeof report['model'] !== 'string') return report;
  const { model: configuration, ...rest } = report;
  return { ...rest, configuration };
}
