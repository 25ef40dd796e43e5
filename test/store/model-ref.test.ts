/** The one check of new alias names (stores, registry API and CLI use it) and the version bound. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KilnError } from '../../src/core/errors.js';
import { checkAliasName, MAX_VERSION_NUMBER, parseModelRef, reservedAliasReason } from '../../src/store/model-ref.js';

test('latest and version-like names are reserved, with why; ordinary names are not', () => {
  for (const alias of ['latest', 'LATEST', 'v2', 'V10', '3']) {
    assert.throws(() => checkAliasName(alias), (err: unknown) => err instanceof KilnError && err.code === 'ALIAS_RESERVED' && err.message.includes(`"${alias}" cannot be an alias`));
  }
  assert.match(reservedAliasReason('latest') ?? '', /newest live version/);
  assert.match(reservedAliasReason('v2') ?? '', /NAME:2 already names/);
  for (const alias of ['champion', 'latest-stable', 'v2-candidate', 'version']) assert.equal(reservedAliasReason(alias), undefined, alias);
  assert.doesNotThrow(() => checkAliasName('champion'));
  assert.throws(() => checkAliasName('my alias', '<alias>'), (err: unknown) => err instanceof KilnError && err.code === 'INVALID_PARAMS' && /^invalid <alias>/.test(err.message));
});

test('parsing still accepts a stored alias named latest (reads keep working); the version bound is the syntax\'s', () => {
  assert.deepEqual(parseModelRef('titanic@latest'), { name: 'titanic', kind: 'alias', alias: 'latest' });
  assert.equal(MAX_VERSION_NUMBER, 999_999_999);
  assert.deepEqual(parseModelRef(`titanic:${MAX_VERSION_NUMBER}`), { name: 'titanic', kind: 'version', version: MAX_VERSION_NUMBER });
  assert.throws(() => parseModelRef(`titanic:${MAX_VERSION_NUMBER + 1}`), (err: unknown) => err instanceof KilnError && err.code === 'INVALID_MODEL_REF');
});
