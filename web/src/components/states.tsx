/**
 * The states every panel can be in besides "showing data": loading, failed, and empty. Each says what
 * to do next; failures show the server's own message, code and hint (never a stack trace).
 */
import type { ReactNode } from 'react';
import type { ApiError } from '../api/client.js';
import type { Loadable } from '../api/use-api.js';
import { inAppWords, type ErrorContext } from '../flow/error-words.js';

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

/** `context`: what the page knows (the file picked), so the words name it rather than a path on the server. */
export function ErrorBox({ error, onRetry, context }: { error: ApiError; onRetry?: () => void; context?: ErrorContext }) {
  const words = inAppWords(error, context);
  return (
    <div className="error-box" role="alert">
      <p className="error-message">
        <strong>{words.message}</strong>
      </p>
      {error.problems.length > 0 && (
        <ul>
          {error.problems.map((p, i) => (
            <li key={i}>
              {p.path !== undefined && p.path !== '' && <code>{p.path}</code>} {p.message}
            </li>
          ))}
        </ul>
      )}
      {words.hint !== undefined && <p className="hint">What to do: {words.hint}</p>}
      <p className="muted small">
        Error code <code>{error.code}</code>
        {onRetry !== undefined && (
          <>
            {' · '}
            <button type="button" className="link-button" onClick={onRetry}>
              Try again
            </button>
          </>
        )}
      </p>
    </div>
  );
}

export function Empty({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="empty">
      <p>
        <strong>{title}</strong>
      </p>
      {children}
    </div>
  );
}

/** Renders a loaded document, or its loading / failed state. */
export function Show<T>({
  value,
  what,
  children,
  context,
}: {
  value: Loadable<T> & { reload(): void };
  what: string;
  children: (data: T) => ReactNode;
  context?: ErrorContext;
}) {
  if (value.state === 'loading') return <Loading what={what} />;
  if (value.state === 'failed') return <ErrorBox error={value.error} onRetry={value.reload} {...(context === undefined ? {} : { context })} />;
  return <>{children(value.data)}</>;
}
