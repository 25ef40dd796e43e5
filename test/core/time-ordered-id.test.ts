import { test } from 'node:test';
import assert from 'node:assert/strict';
import { idTime, timeOrderedId } from '../../src/core/time-ordered-id.js';

test('time-ordered ids are UUID version 7, carry their time, and are unique and ordered within a process', () => {
  const at = Date.UTC(2026, 10, 27, 12, 0, 0, 123);
  const ids = Array.from({ length: 1000 }, (_, i) => timeOrderedId(at + Math.floor(i / 100)));
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual([...ids].sort(), ids, 'lexicographic order is creation order');
  assert.equal(idTime(ids[0] as string), at);
  assert.equal(idTime(ids[999] as string), at + 9);
});

test('idTime reads only UUID version 7 ids', () => {
  assert.equal(idTime('0193a6f2-7c41-7abc-9def-1234000000a5'), 0x0193a6f27c41);
  assert.equal(idTime('0193A6F2-7C41-7ABC-9DEF-1234000000A5'), 0x0193a6f27c41, 'upper case too');
  assert.equal(idTime('0193a6f2-7c41-4abc-9def-1234000000a5'), undefined, 'version 4');
  assert.equal(idTime('0193a6f2-7c41-7abc-1def-1234000000a5'), undefined, 'wrong variant');
  assert.equal(idTime('req-1'), undefined);
  assert.equal(idTime(''), undefined);
});
