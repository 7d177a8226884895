// The client delivery contract's sequencing (ricemill/web/static/seq.js), under Node's own test
// runner: `node --test tests/js/` (tests/web/test_js_units.py runs it in the pytest suite).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { SeqTracker } from '../../ricemill/web/static/seq.js';

test('in-order events advance lastSeq and each is applied once', () => {
  const t = new SeqTracker({ lastSeq: 10 });
  assert.equal(t.offer(11, 0), true);
  assert.equal(t.offer(12, 0), true);
  assert.equal(t.offer(12, 0), false); // at-least-once delivery: the repeat is refused
  assert.equal(t.offer(9, 0), false); // already in the REST data the page loaded
  assert.equal(t.lastSeq, 12);
  assert.deepEqual(t.appliedSeqs, [11, 12]);
  assert.equal(t.syncDue(60_000), false);
  assert.equal(t.nextCheckIn(0), null);
});

test('an event above a gap is applied but never advances lastSeq', () => {
  const t = new SeqTracker({ lastSeq: 5 });
  assert.equal(t.offer(8, 0), true);
  assert.equal(t.offer(7, 0), true);
  assert.equal(t.lastSeq, 5);
  assert.equal(t.offer(8, 0), false); // a duplicate above the gap is refused too
  assert.equal(t.offer(6, 0), true); // the hole fills: lastSeq runs up to the highest contiguous
  assert.equal(t.lastSeq, 8);
  assert.deepEqual(t.appliedSeqs, [6, 7, 8]);
  assert.equal(t.nextCheckIn(0), null);
});

test('a gap still open after 1 s asks for a sync, once until answered', () => {
  const t = new SeqTracker({ lastSeq: 5, gapMs: 1000, syncTimeoutMs: 5000 });
  t.offer(7, 100);
  assert.equal(t.syncDue(1099), false);
  assert.equal(t.nextCheckIn(600), 500);
  assert.equal(t.syncDue(1100), true);
  t.syncSent(1100);
  assert.equal(t.syncDue(2000), false); // one sync in flight at a time
  assert.equal(t.nextCheckIn(2000), 4100);
  assert.equal(t.syncDue(6100), true); // unanswered for syncTimeoutMs: ask again
});

test('a gap filled within 1 s asks for nothing', () => {
  const t = new SeqTracker({ lastSeq: 5 });
  t.offer(7, 0);
  t.offer(6, 500);
  assert.equal(t.syncDue(5000), false);
  assert.equal(t.nextCheckIn(5000), null);
});

test('the reconnect race of issue 8: live events past a hole, then the replay fails', () => {
  // sync(L=5) sent; live 9 and 10 arrive before the replay; the connection drops before sync:done
  const t = new SeqTracker({ lastSeq: 5 });
  t.syncSent(0);
  t.offer(9, 10);
  t.offer(10, 10);
  t.syncLost();
  assert.equal(t.lastSeq, 5); // "max seen" would say 10 and the hole 6..8 would never be asked for
  // the next connection asks after 5, and the replay fills the hole
  t.syncSent(20);
  for (const seq of [6, 7, 8, 9, 10]) t.offer(seq, 30);
  t.syncDone(10, 40);
  assert.equal(t.lastSeq, 10);
  assert.deepEqual(t.appliedSeqs, [6, 7, 8, 9, 10]); // 9 and 10 applied once
});

test('mill:position ahead of lastSeq asks for a sync at once; behind or equal does not', () => {
  const t = new SeqTracker({ lastSeq: 20 });
  assert.equal(t.position(20, 0), false);
  assert.equal(t.position(19, 0), false);
  assert.equal(t.position(23, 0), true);
  assert.equal(t.nextCheckIn(0), 0);
  t.syncSent(0);
  assert.equal(t.position(24, 100), false); // the sync in flight will bring it
  t.syncDone(24, 200);
  assert.equal(t.lastSeq, 24);
  assert.equal(t.syncDue(10_000), false);
});

test('mill:position ahead of lastSeq but behind an event above a gap still asks', () => {
  const t = new SeqTracker({ lastSeq: 3 });
  t.offer(6, 0);
  assert.equal(t.position(6, 10), true);
});

test('sync:done moves lastSeq to the seq it replayed to, and a later hole waits afresh', () => {
  const t = new SeqTracker({ lastSeq: 5 });
  t.syncSent(0);
  t.offer(6, 1);
  t.offer(12, 2); // live, after the replay's end, with 11 still on its way
  t.syncDone(10, 1000); // the replay went to 10 (7..10 had arrived as replayed events, say)
  assert.equal(t.lastSeq, 10);
  assert.equal(t.syncDue(1500), false);
  assert.equal(t.syncDue(2000), true);
  t.offer(11, 2100);
  assert.equal(t.lastSeq, 12);
  assert.equal(t.syncDue(9000), false);
});

test('sync:done without a seq only ends the sync in flight', () => {
  const t = new SeqTracker({ lastSeq: 5 });
  t.syncSent(0);
  t.syncDone(undefined, 10);
  assert.equal(t.lastSeq, 5);
  assert.equal(t.syncAt, null);
});

test('sync:reset sets lastSeq to the server seq, even backwards, keeping events above it', () => {
  const t = new SeqTracker({ lastSeq: 999_999 });
  t.reset(42, 0);
  assert.equal(t.lastSeq, 42);
  assert.equal(t.baseSeq, 42);
  assert.equal(t.offer(42, 0), false);
  assert.equal(t.offer(43, 0), true);
  const u = new SeqTracker({ lastSeq: 5 });
  u.offer(9, 0);
  u.offer(50, 0);
  u.reset(8, 100);
  assert.equal(u.lastSeq, 9);
  assert.equal(u.syncDue(1099), false);
  assert.equal(u.syncDue(1100), true);
});

test('a non-integer seq is never applied', () => {
  const t = new SeqTracker();
  for (const bad of [undefined, null, '3', 2.5, NaN]) assert.equal(t.offer(bad, 0), false);
  assert.equal(t.position('9', 0), false);
  assert.deepEqual(t.appliedSeqs, []);
});

test('the remembered applied seqs are bounded', () => {
  const t = new SeqTracker({ keep: 3 });
  for (let s = 1; s <= 5; s += 1) t.offer(s, 0);
  assert.deepEqual(t.appliedSeqs, [3, 4, 5]);
  assert.equal(t.offer(2, 0), false); // still refused: at or below lastSeq
});

test('mill:position while a sync goes unanswered asks again once that sync has had its time', () => {
  const t = new SeqTracker({ lastSeq: 0, syncTimeoutMs: 5000 });
  t.syncSent(0); // its answer is lost
  assert.equal(t.position(2, 100), false);
  assert.equal(t.nextCheckIn(100), 4900);
  assert.equal(t.syncDue(5000), true);
});
