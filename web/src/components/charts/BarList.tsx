/**
 * Labelled horizontal bars: column importances, or the signed reasons behind one prediction (bars to
 * the right push towards the answer, bars to the left push away from it). Plain HTML so the labels
 * wrap and read well at any width; the numbers are in the text for screen readers.
 */
import { formatNumber } from './scale.js';

export interface Bar {
  readonly label: string;
  readonly value: number;
  /** Shown after the label, e.g. the row's value of that column. */
  readonly detail?: string;
}

export function BarList({ bars, title, signed = false }: { bars: readonly Bar[]; title: string; signed?: boolean }) {
  const top = Math.max(1e-12, ...bars.map((b) => (signed ? Math.abs(b.value) : b.value)));
  return (
    <ul className={`bar-list${signed ? ' signed' : ''}`} aria-label={title}>
      {bars.map((b) => {
        // unsigned bars measure an amount (an importance): below zero is noise around none, not a long bar
        const share = signed ? (Math.abs(b.value) / top) * 50 : (Math.max(0, b.value) / top) * 100;
        const negative = b.value < 0;
        return (
          <li key={b.label}>
            <span className="bar-label">
              {b.label}
              {b.detail !== undefined && <span className="muted"> = {b.detail}</span>}
            </span>
            <span className="bar-track" aria-hidden="true">
              <span
                className={`bar${negative ? ' negative' : ''}`}
                style={signed ? { width: `${share}%`, [negative ? 'right' : 'left']: '50%' } : { width: `${share}%` }}
              />
            </span>
            <span className="bar-value">{(signed && b.value > 0 ? '+' : '') + formatNumber(b.value)}</span>
          </li>
        );
      })}
    </ul>
  );
}
