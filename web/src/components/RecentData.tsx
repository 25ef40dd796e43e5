/**
 * The data trained on before, so that someone coming back finds their spreadsheet again without
 * uploading it a second time: each source once, newest first, linking to its profile. (Uploads that
 * were never trained on are not listed: the API has no list of uploads.)
 */
import type { DatasetVersion } from '../api/types.js';
import { useApi } from '../api/use-api.js';
import { href, Link } from '../router.js';
import { timeAgo } from '../flow/words.js';
import { Card } from './bits.js';

const SHOWN = 8;

export function RecentData() {
  const datasets = useApi<{ dataset_versions: readonly DatasetVersion[] }>('/api/datasets');
  // a list that cannot load only hides itself: the page is about bringing data in
  if (datasets.state !== 'loaded') return null;
  // each source once, at its newest use
  const bySource = new Map<string, DatasetVersion>();
  for (const d of [...datasets.data.dataset_versions].sort((a, b) => (b.created_at ?? '').localeCompare(a.created_at ?? ''))) {
    if (d.source !== undefined && !bySource.has(d.source)) bySource.set(d.source, d);
  }
  const recent = [...bySource.values()].slice(0, SHOWN);
  if (recent.length === 0) return null;
  return (
    <Card title="Or use data you trained on before">
      <ul className="plain-list">
        {recent.map((d) => (
          <li key={d.id}>
            <Link to={href('/data', { source: d.source })}>{d.source?.split(/[\\/]/).pop() ?? d.dataset}</Link>{' '}
            <span className="muted small">
              {d.rows === undefined ? '' : `${d.rows.toLocaleString('en-US')} rows · `}used {timeAgo(d.created_at)}
            </span>
          </li>
        ))}
      </ul>
    </Card>
  );
}
