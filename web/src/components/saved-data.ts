/**
 * What the Data page offers again, without a browser: the uploads this server holds (GET /api/uploads),
 * each with the trainings that read it, and the other data trained on before (GET /api/datasets) —
 * database connections, files named by path, uploads another server holds — each source once, so that
 * no file appears in both lists.
 */
import type { DatasetVersion, Upload, UploadList } from '../api/types.js';

/** `<folder>/<name>` of a source shaped like an upload (`…/uploads/<sha256 or its 24 first digits>/<name>`, `#sheet` and `?options` aside); else undefined. */
export function uploadKey(source: string): string | undefined {
  const path = source.replace(/[#?].*$/, '');
  const match = /[\\/]uploads[\\/]([0-9a-f]{24}(?:[0-9a-f]{40})?)[\\/]([^\\/]+)$/.exec(path);
  return match === null ? undefined : `${match[1]}/${match[2]}`;
}

export interface UploadWithUse {
  readonly upload: Upload;
  /** Whether a training read it (a dataset version names it). */
  readonly trained: boolean;
  /** When a training last read it, when known. */
  readonly lastTrained: string | undefined;
}

/** The uploads, in the server's order (newest first), each with whether and when a training last read it. */
export function uploadsWithUse(list: UploadList, datasets: readonly DatasetVersion[]): UploadWithUse[] {
  const trained = new Map<string, string | undefined>();
  for (const d of datasets) {
    const key = d.source === undefined ? undefined : uploadKey(d.source);
    if (key === undefined) continue;
    const before = trained.get(key);
    trained.set(key, before === undefined || (d.created_at !== undefined && d.created_at > before) ? d.created_at : before);
  }
  return list.uploads.map((upload) => ({ upload, trained: trained.has(upload.id), lastTrained: trained.get(upload.id) }));
}

/**
 * The data trained on before that the uploads list does not show, each source once at its newest use,
 * newest first. An upload-shaped source that is not listed was deleted here — unless uploads are shared
 * with other servers, where it may be another server's, which opens here too.
 */
export function otherTrainedData(datasets: readonly DatasetVersion[], list: UploadList | undefined): DatasetVersion[] {
  const listed = new Set(list?.uploads.map((u) => u.id) ?? []);
  const bySource = new Map<string, DatasetVersion>();
  for (const d of [...datasets].sort((a, b) => (b.created_at ?? '').localeCompare(a.created_at ?? ''))) {
    if (d.source === undefined || bySource.has(d.source)) continue;
    const key = uploadKey(d.source);
    if (key !== undefined && list !== undefined && (listed.has(key) || !list.shared_store)) continue;
    bySource.set(d.source, d);
  }
  return [...bySource.values()];
}

/** "891 rows × 12 columns", or undefined when not known (an upload an older Kiln saved). */
export function shapeInWords(upload: Upload): string | undefined {
  if (upload.rows === null || upload.columns === null) return undefined;
  return `${upload.rows.toLocaleString('en-US')} ${upload.rows === 1 ? 'row' : 'rows'} × ${upload.columns} ${upload.columns === 1 ? 'column' : 'columns'}`;
}
