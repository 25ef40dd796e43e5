/**
 * What every refusal of the server must look like: JSON `{error, code, hint, problems?}` with a code in
 * capitals and words for the error and its fix — and nothing of the server's insides: no stack frame
 * (`    at fn (file:line)`), no source path, no node internals.
 */
import type { RawAnswer } from './raw-http.js';

/** Where the server's own code lives: a path under it in an answer is a leak. */
const SOURCE_ROOT = new URL('../../../', import.meta.url).pathname.replace(/\/$/, '');

const LEAKS: readonly [RegExp, string][] = [
  [/\n\s+at /, 'a stack trace'],
  [/\bat [\w.<>]+ \(/, 'a stack frame'],
  [/node:internal|node_modules/, 'node internals'],
  // no character class before the dot: on an answer echoing 100,000 letters it would scan quadratically
  [/\.(?:ts|js|mjs|cjs):\d+/, 'a source file and line'],
];

/** Why the answer is not a well-formed coded error; empty when it is one. */
export function errorShapeProblems(answer: RawAnswer): string[] {
  const problems: string[] = [];
  if (!answer.contentType.startsWith('application/json')) problems.push(`content type ${answer.contentType || '(none)'}, not JSON`);
  for (const [pattern, what] of LEAKS) if (pattern.test(answer.text)) problems.push(`${what} in the answer`);
  if (answer.text.includes(SOURCE_ROOT)) problems.push('the server\'s source folder in the answer');
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return [...problems, 'a body that is not JSON'];
  }
  const { code, error, hint } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof code !== 'string' || !/^[A-Z][A-Z0-9_]+$/.test(code)) problems.push(`no code (${JSON.stringify(code)})`);
  if (typeof error !== 'string' || error === '') problems.push('no error message');
  if (typeof hint !== 'string' || hint === '') problems.push(`no hint for ${String(code)}`);
  return problems;
}

/** The answer's code, for reports. */
export function codeOf(answer: RawAnswer): string {
  try {
    return String((JSON.parse(answer.text) as { code?: unknown }).code);
  } catch {
    return '(not JSON)';
  }
}
