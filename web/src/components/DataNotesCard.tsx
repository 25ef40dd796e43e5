/**
 * "What Kiln changed while reading your data": the decisions reading a table made ("N/A" read as
 * missing, "$1,234" read as a number), each with what to do if it was wrong. Apart from the training's
 * own notes, because these changed the values the model learned from. Words: flow/data-notes.ts.
 */
import type { DataNote } from '../api/types.js';
import { dataNotesInWords } from '../flow/data-notes.js';
import { Card } from './bits.js';

export function DataNotesCard({ notes }: { notes: readonly DataNote[] }) {
  if (notes.length === 0) return null;
  return (
    <Card title="What Kiln changed while reading your data">
      <ul className="findings">
        {dataNotesInWords(notes).map((n, i) => (
          <li key={i} className={`finding ${n.severity}`}>
            <span className={`badge ${n.severity}`}>{n.label}</span>
            <div>
              <p>{n.message}</p>
              <p className="muted">{n.ifWrong}</p>
            </div>
          </li>
        ))}
      </ul>
    </Card>
  );
}
