/**
 * `--limit` of the listing verbs, bounded as the HTTP API bounds `?limit=` (1 … 10,000). A huge number
 * used to reach SQLite, which answered "datatype mismatch": `kiln runs list --limit 99999999999999999999`
 * and `kiln alerts events --limit …` ended in an INTERNAL error (exit 3) instead of naming the flag.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { openHome } from '../../src/store/open-store.js';
import { kiln, tempHome } from '../helpers/kiln-cli.js';

let home: string;

before(async () => {
  home = tempHome('kiln-list-limits-');
  await (await openHome(home)).store.close();
});

after(async () => rm(home, { recursive: true, force: true }));

test('a --limit or --offset out of range is a usage error naming the flag; one in range lists', async () => {
  const huge = '99999999999999999999';
  const [runs, offset, zero, events, fine] = await Promise.all([
    kiln(['runs', 'list', '--limit', huge, '--home', home]),
    kiln(['runs', 'list', '--offset', huge, '--home', home]),
    kiln(['runs', 'list', '--limit', '0', '--home', home]),
    kiln(['alerts', 'events', '--limit', huge, '--home', home]),
    kiln(['alerts', 'events', '--limit', '10000', '--home', home, '--json']),
  ]);
  for (const [result, flag] of [[runs, '--limit'], [offset, '--offset'], [zero, '--limit'], [events, '--limit']] as const) {
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, new RegExp(`invalid ${flag}: expected a whole number`));
    assert.doesNotMatch(result.stderr, /INTERNAL|datatype mismatch/);
  }
  assert.match(runs.stderr, /from 1 to 10000, got "99999999999999999999"/);
  assert.equal(fine.code, 0, fine.stderr);
  assert.deepEqual(JSON.parse(fine.stdout), { events: [] });
});
