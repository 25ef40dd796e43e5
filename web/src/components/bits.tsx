/** Small building blocks shared by the pages: page frame, folded engineer details, copyable code. */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { hasNavigated } from '../router.js';

/**
 * A page: sets the document title and, after a navigation inside the app, moves focus to the heading so
 * screen readers announce the new page (on the first page focus stays at the top, before the skip link).
 */
export function Page({ title, lead, children, actions }: { title: string; lead?: ReactNode; children: ReactNode; actions?: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Kiln`;
    if (hasNavigated()) heading.current?.focus();
  }, [title]);
  return (
    <>
      <div className="page-head">
        <div>
          <h1 ref={heading} tabIndex={-1}>
            {title}
          </h1>
          {lead !== undefined && <p className="lead">{lead}</p>}
        </div>
        {actions !== undefined && <div className="page-actions">{actions}</div>}
      </div>
      {children}
    </>
  );
}

export function Card({ title, children, className }: { title?: string; children: ReactNode; className?: string }) {
  return (
    <section className={`card${className === undefined ? '' : ` ${className}`}`} aria-label={title}>
      {title !== undefined && <h2>{title}</h2>}
      {children}
    </section>
  );
}

/** Details for engineers, folded away by default. */
export function ForEngineers({ summary = 'Details for engineers', children }: { summary?: string; children: ReactNode }) {
  return (
    <details className="engineer">
      <summary>{summary}</summary>
      <div className="details-body">{children}</div>
    </details>
  );
}

/**
 * Copies text. The Clipboard API exists only on secure pages (https, or this machine); a Kiln served to
 * the office network over plain http has none, and the Copy button did nothing there. The fallback is
 * the older copy command on a selected, off-screen text box.
 */
async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard !== undefined) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // refused (no permission): try the fallback
  }
  const box = document.createElement('textarea');
  box.value = text;
  box.setAttribute('readonly', '');
  box.style.position = 'fixed';
  box.style.left = '-9999px';
  document.body.appendChild(box);
  box.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  } finally {
    box.remove();
  }
}

export function CodeBlock({ code, label }: { code: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const pre = useRef<HTMLPreElement>(null);
  const copy = () => {
    void copyText(code).then((copied) => {
      if (!copied) {
        // the text selected, so that Ctrl+C (or the menu) copies it
        const selection = window.getSelection();
        if (pre.current !== null && selection !== null) selection.selectAllChildren(pre.current);
      }
      setState(copied ? 'copied' : 'failed');
      setTimeout(() => setState('idle'), copied ? 1500 : 4000);
    });
  };
  return (
    <div className="code-block">
      <div className="code-head">
        <span>{label}</span>
        {/* the visible word starts the accessible name, whichever it is */}
        <button type="button" className="small-button" onClick={copy} aria-label={`${state === 'copied' ? 'Copied' : 'Copy'} ${label}`}>
          {state === 'copied' ? 'Copied' : 'Copy'}
        </button>
      </div>
      {/* said where a screen reader hears it too */}
      <p className="visually-hidden" role="status">
        {state === 'copied' ? 'Copied.' : state === 'failed' ? 'The browser would not copy: the text is selected, press Ctrl+C.' : ''}
      </p>
      {state === 'failed' && (
        <p className="muted small" aria-hidden="true">
          The browser would not copy: the text is selected, press Ctrl+C (⌘C on a Mac).
        </p>
      )}
      <pre ref={pre} tabIndex={0} aria-label={label}>
        <code>{code}</code>
      </pre>
    </div>
  );
}

/** A small "key: value" list. */
export function Facts({ items }: { items: readonly (readonly [string, ReactNode])[] }) {
  return (
    <dl className="facts">
      {items.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function downloadText(filename: string, text: string, type = 'text/yaml'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
