/**
 * Params schemas: one zod schema per params set is the single source of truth for validation, CLI
 * flags, the app's forms and the docs (LightGBM generates its parser and docs from one table).
 * Learners declare `z.strictObject({...})` so that a misspelt parameter is an error, not a silent no-op.
 */
import { z } from 'zod';
import { KilnError, type Problem } from './errors.js';

export { z };

/** Validate `raw` against `schema`; on failure throw INVALID_PARAMS carrying every problem as data. */
export function parseParams<S extends z.ZodType>(schema: S, raw: unknown, what = 'parameters'): z.output<S> {
  const result = schema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const problems = zodProblems(result.error);
  const summary = problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ');
  throw new KilnError('INVALID_PARAMS', { what, summary }, { problems });
}

export function zodProblems(error: z.ZodError): Problem[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      message = `unknown parameter${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    return { path, message, code: issue.code };
  });
}

/** JSON Schema of a params set, for forms, OpenAPI and generated docs. */
export function describeParams(schema: z.ZodType): unknown {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
}
