/**
 * The spec schema's words for two common slips: a name over the 128-character limit (said as the limit,
 * not as the characters a name may use) and a spec file with nothing in it (said as empty, with what a
 * minimal spec holds, not as zod's "expected object, received null").
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KilnError } from '../../src/core/errors.js';
import { loadSpecFile, validateSpec } from '../../src/modules/spec.js';

const dir = mkdtempSync(join(tmpdir(), 'kiln-spec-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The INVALID_SPEC message `fn` throws. */
function specError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof KilnError, String(err));
    assert.equal(err.code, 'INVALID_SPEC');
    return err.message;
  }
  return assert.fail('the spec was accepted');
}

const spec = (name: string) => ({ name, data: 'titanic.csv', target: 'Survived' });

describe('module names', () => {
  test('up to 128 characters of letters, digits, "_", "-" and "." are a name', () => {
    assert.equal(validateSpec(spec('a'.repeat(128)), null, dir).spec.name.length, 128);
  });

  test('a longer name is told the limit and its length', () => {
    const message = specError(() => validateSpec(spec('a'.repeat(300)), null, dir));
    assert.equal(message, 'the module spec is not valid: name: a module name is at most 128 characters long; this one has 300');
  });

  test('a name with a space is told the characters a name may use', () => {
    const message = specError(() => validateSpec(spec('my model'), null, dir));
    assert.match(message, /a module name uses letters, digits, "_", "-" and "\."/);
    assert.doesNotMatch(message, /128/);
  });
});

describe('spec files with no fields', () => {
  for (const [what, text] of [['an empty file', ''], ['only blank lines', '\n\n'], ['only comments', '# name: titanic\n']] as const) {
    test(`${what} is called empty, with a minimal spec`, () => {
      const file = join(dir, `${what.replace(/ /g, '-')}.yaml`);
      writeFileSync(file, text);
      const message = specError(() => loadSpecFile(file));
      assert.equal(message, `the module spec ${file} is not valid: the file is empty; a minimal spec is three lines: "name: titanic", "data: titanic.csv" (relative to the spec file) and "target: Survived"`);
    });
  }

  test('a list or a single value is not fields', () => {
    const list = join(dir, 'list.yaml');
    const scalar = join(dir, 'scalar.yaml');
    writeFileSync(list, '- titanic\n');
    writeFileSync(scalar, 'titanic\n');
    assert.match(specError(() => loadSpecFile(list)), /it holds a list, not fields; a minimal spec is three lines/);
    assert.match(specError(() => loadSpecFile(scalar)), /it holds a single value, not fields; a minimal spec is three lines/);
  });
});
