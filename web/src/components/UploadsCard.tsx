/**
 * The files uploaded to this server, so that someone who uploaded, left and came back finds them again
 * (GET /api/uploads): each with its size, rows × columns, when it came and whether a model was trained
 * on it, linking to its profile; and a Delete button that asks first. Deleting never touches a model:
 * a model keeps its own copy of the rows it learned from (the server refuses only while a training is
 * reading the file). Beside it, RecentData lists the other data trained on before.
 */
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { api, ApiError } from '../api/client.js';
import type { DatasetVersion, DeletedUpload, Upload, UploadList } from '../api/types.js';
import { useAction, useApi } from '../api/use-api.js';
import { href, Link } from '../router.js';
import { bytesInWords, timeAgo } from '../flow/words.js';
import { Card } from './bits.js';
import { RecentData } from './RecentData.js';
import { otherTrainedData, shapeInWords, uploadsWithUse } from './saved-data.js';
import { ErrorBox } from './states.js';

/** The uploads and the other data trained on before, each file in one list only. */
export function SavedData() {
  const uploads = useApi<UploadList>('/api/uploads');
  const datasets = useApi<{ dataset_versions: readonly DatasetVersion[] }>('/api/datasets');
  // both lists wait for each other: a file would otherwise show in the second, then move to the first
  if (uploads.state === 'loading' || datasets.state === 'loading') return null;
  // data trained on that cannot load only hides itself: the page is about bringing data in
  const versions = datasets.state === 'loaded' ? datasets.data.dataset_versions : [];
  const list = uploads.state === 'loaded' ? uploads.data : undefined;
  return (
    <>
      {uploads.state === 'failed' ? (
        <Card title="Files you uploaded">
          <ErrorBox error={uploads.error} onRetry={uploads.reload} />
        </Card>
      ) : (
        list !== undefined && <UploadsCard list={list} datasets={versions} onDeleted={uploads.reload} />
      )}
      <RecentData datasets={otherTrainedData(versions, list)} />
    </>
  );
}

const SHOWN = 10;

function UploadsCard({ list, datasets, onDeleted }: { list: UploadList; datasets: readonly DatasetVersion[]; onDeleted: () => void }) {
  const [asking, setAsking] = useState<string | undefined>(undefined);
  const [said, setSaid] = useState('');
  const [all, setAll] = useState(false);
  // after "Keep it", focus goes back to the Delete button it came from; after deleting, to what was said
  const [refocus, setRefocus] = useState<string | undefined>(undefined);
  const status = useRef<HTMLParagraphElement>(null);
  const remove = useAction(async (upload: Upload, trained: boolean) => {
    let deleted = true;
    try {
      await api<DeletedUpload>(`/api/uploads/${encodeURIComponent(upload.id)}`, { method: 'DELETE' });
    } catch (err) {
      // deleted meanwhile (another tab, another person): what was asked for is done
      if (!(err instanceof ApiError && err.code === 'UPLOAD_NOT_FOUND')) throw err;
      deleted = false;
    }
    setAsking(undefined);
    setSaid(deleted ? `${upload.name} was deleted.${trained ? ' The models trained on it keep their own copy of its rows.' : ''}` : `${upload.name} was already deleted.`);
    status.current?.focus();
    onDeleted();
    return deleted;
  });
  const focusBack = useCallback(
    (id: string) => (button: HTMLButtonElement | null) => {
      if (button !== null && refocus === id) {
        button.focus();
        setRefocus(undefined);
      }
    },
    [refocus],
  );
  const rows = uploadsWithUse(list, datasets);
  const shown = all ? rows : rows.slice(0, SHOWN);
  const failedOn = asking === undefined ? undefined : rows.find((r) => r.upload.id === asking)?.upload.name;
  // nothing uploaded: no card (the page is about bringing data in); the last one deleted: the card stays to say so
  if (rows.length === 0 && said === '') return null;
  return (
    <Card title="Files you uploaded">
      {rows.length === 0 ? (
        <p className="muted">No files left on this server.</p>
      ) : (
        // a long file name without spaces wraps instead of widening the page on a phone
        <ul className="plain-list" style={{ overflowWrap: 'anywhere' }}>
          {shown.map(({ upload, trained, lastTrained }) => {
            const shape = shapeInWords(upload);
            return (
              <li key={upload.id}>
                <Link to={href('/data', { source: upload.source })}>{upload.name}</Link>{' '}
                <span className="muted small">
                  {bytesInWords(upload.bytes)}
                  {shape === undefined ? '' : ` · ${shape}`} · uploaded {timeAgo(upload.uploaded_at)}
                  {trained ? ` · used for training${lastTrained === undefined ? '' : ` ${timeAgo(lastTrained)}`}` : ''}
                </span>{' '}
                {asking === upload.id ? (
                  <ConfirmDelete
                    upload={upload}
                    trained={trained}
                    busy={remove.busy}
                    onConfirm={() => void remove.run(upload, trained)}
                    onCancel={() => {
                      setAsking(undefined);
                      setRefocus(upload.id);
                    }}
                  />
                ) : (
                  <button
                    ref={focusBack(upload.id)}
                    type="button"
                    className="link-button small"
                    aria-label={`Delete ${upload.name}`}
                    disabled={remove.busy}
                    onClick={() => {
                      setAsking(upload.id);
                      setSaid('');
                    }}
                  >
                    Delete
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {rows.length > SHOWN && (
        <button type="button" className="link-button small" onClick={() => setAll(!all)}>
          {all ? 'Show fewer' : `Show all ${rows.length} files`}
        </button>
      )}
      {list.shared_store && <p className="muted small">Files uploaded through another Kiln server of this group are not listed here, and deleting removes this server&apos;s copy only.</p>}
      <p ref={status} role="status" tabIndex={-1} className="small">
        {said}
      </p>
      {remove.error !== undefined && asking !== undefined && <ErrorBox error={remove.error} {...(failedOn === undefined ? {} : { context: { fileName: failedOn } })} />}
    </Card>
  );
}

/** Asks before deleting; "Keep it" has the focus, so that Enter pressed by habit deletes nothing. */
function ConfirmDelete({ upload, trained, busy, onConfirm, onCancel }: { upload: Upload; trained: boolean; busy: boolean; onConfirm: () => void; onCancel: () => void }) {
  const keep = useRef<HTMLButtonElement>(null);
  useEffect(() => keep.current?.focus(), []);
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Escape') onCancel();
  };
  return (
    <div className="warning-box" role="group" aria-label={`Delete ${upload.name}?`} onKeyDown={onKeyDown}>
      <p>
        Delete <strong>{upload.name}</strong> from this server? To use it again, you would upload it again.
        {trained && ' The models trained on it keep working: they keep their own copy of the rows they learned from.'}
      </p>
      <div className="actions">
        <button type="button" className="button danger small-button" disabled={busy} onClick={onConfirm}>
          {busy ? 'Deleting…' : 'Delete it'}
        </button>
        <button ref={keep} type="button" className="button small-button" disabled={busy} onClick={onCancel}>
          Keep it
        </button>
      </div>
    </div>
  );
}
