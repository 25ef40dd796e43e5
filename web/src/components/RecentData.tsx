/**
 * The data trained on before that the list of uploads does not show (database connections, files named
 * by path, and — when servers share their uploads — another server's), so that someone coming back
 * finds it again: each source once, newest first, linking to its profile. The uploads this server
 * holds, trained on or not, are listed by UploadsCard instead; SavedData decides which goes where
 * (saved-data.ts), so that no file is listed twice.
 */
import type { DatasetVersion } from '../api/types.js';
import { href, Link } from '../router.js';
import { timeAgo } from '../flow/words.js';
import { Card } from './bits.js';

const SHOWN = 8;

export function RecentData({ datasets }: { datasets: readonly DatasetVersion[] }) {
  const recent = datasets.slice(0, SHOWN);
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
