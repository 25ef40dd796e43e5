/** The tabs of one model version: its results, deploying it, and watching it in service. */
import { Link } from '../router.js';

const TABS = [
  ['', 'Results'],
  ['/deploy', 'Deploy'],
  ['/watch', 'Watch'],
] as const;

export function ModelNav({ modelRef, current }: { modelRef: string; current: '' | '/deploy' | '/watch' }) {
  const base = `/models/${encodeURIComponent(modelRef)}`;
  return (
    <nav className="tabs" aria-label="This model">
      {TABS.map(([suffix, label]) => (
        <Link key={suffix} to={base + suffix} aria-current={suffix === current ? 'page' : undefined} className={suffix === current ? 'tab active' : 'tab'}>
          {label}
        </Link>
      ))}
    </nav>
  );
}
