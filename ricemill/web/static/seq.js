/* The client delivery contract (docs/realtime-client.md), as pure logic: no DOM, no socket, no clock.

Every mill event carries the mill's gapless `seq`. A client keeps `lastSeq`, the highest seq with NO
GAP below it. An event above a gap is applied (once: duplicates are refused by seq) but never moves
`lastSeq`. The client asks the server to replay (`sync {millId, lastSeq}`) when a gap is still open
`gapMs` (1 s) after it opened, or at once when `mill:position {millId, seq}` says the mill is ahead of
`lastSeq`. `sync:done {millId, seq}` means every event up to `seq` has been sent to this socket.
The caller passes the time (`now`, in ms) and does the emitting; this module only decides. */

export class SeqTracker {
  constructor({ lastSeq = 0, gapMs = 1000, syncTimeoutMs = 5000, keep = 100000 } = {}) {
    this.gapMs = gapMs;
    this.syncTimeoutMs = syncTimeoutMs; // a sync unanswered this long may be sent again
    this.keep = keep; // how many applied seqs are remembered (for tests and duplicates)
    this.lastSeq = lastSeq;
    this.baseSeq = lastSeq; // what the page's REST data already covered
    this.above = new Set(); // applied seqs above a gap
    this.applied = new Set(); // applied seqs, oldest first
    this.gapSince = null; // when the gap now open was seen
    this.aheadSeq = 0; // the highest mill:position seen: the mill has events up to it
    this.syncAt = null; // when the sync now in flight was sent
  }

  /** A mill event's seq arrived: true if it is new (apply it), false if it is a duplicate. */
  offer(seq, now) {
    if (!Number.isInteger(seq) || seq <= this.lastSeq || this.above.has(seq)) return false;
    this.applied.add(seq);
    if (this.applied.size > this.keep) this.applied.delete(this.applied.values().next().value);
    if (seq === this.lastSeq + 1) {
      this.lastSeq = seq;
      this.drain();
    } else {
      this.above.add(seq);
      if (this.gapSince === null) this.gapSince = now;
    }
    return true;
  }

  /** `mill:position {seq}`: the mill's last committed event. Ahead of lastSeq means something was missed. */
  position(seq, now) {
    if (!Number.isInteger(seq) || seq <= this.lastSeq) return false;
    this.aheadSeq = Math.max(this.aheadSeq, seq);
    return this.syncDue(now);
  }

  /** Is a `sync` due now? (never two in flight, unless the first went unanswered syncTimeoutMs) */
  syncDue(now) {
    if (this.syncAt !== null && now - this.syncAt < this.syncTimeoutMs) return false;
    if (this.behind) return true;
    return this.gapSince !== null && now - this.gapSince >= this.gapMs;
  }

  /** ms until syncDue() may turn true with no new input; null when nothing is pending. */
  nextCheckIn(now) {
    if (!this.behind && this.gapSince === null) return null;
    if (this.syncAt !== null) return Math.max(0, this.syncAt + this.syncTimeoutMs - now);
    if (this.behind) return 0;
    return Math.max(0, this.gapSince + this.gapMs - now);
  }

  /** The caller emitted `sync {millId, lastSeq}` (a fresh connection always does). */
  syncSent(now) {
    this.syncAt = now;
  }

  /** The connection dropped: an unanswered sync will never be answered. */
  syncLost() {
    this.syncAt = null;
  }

  /** `sync:done {seq}`: every event up to seq was replayed to this socket, before this answer. */
  syncDone(seq, now) {
    this.syncAt = null;
    if (Number.isInteger(seq) && seq > this.lastSeq) {
      this.lastSeq = seq;
      for (const s of this.above) if (s <= seq) this.above.delete(s);
    }
    this.drain();
    // what is still above a gap arrived after the replay's end: give its hole a fresh wait
    if (this.gapSince !== null) this.gapSince = now;
  }

  /** `sync:reset {seq}` (or a test): the page reloads over REST, which covers everything up to seq. */
  reset(seq, now = 0) {
    this.lastSeq = seq;
    this.baseSeq = seq;
    for (const s of this.above) if (s <= seq) this.above.delete(s);
    this.syncAt = null;
    this.aheadSeq = 0;
    this.gapSince = null;
    this.drain();
    if (this.above.size) this.gapSince = now; // events above the new lastSeq: their hole waits gapMs too
  }

  drain() {
    while (this.above.has(this.lastSeq + 1)) {
      this.above.delete(this.lastSeq + 1);
      this.lastSeq += 1;
    }
    if (this.above.size === 0) this.gapSince = null;
  }

  /** mill:position said the mill has events past lastSeq. */
  get behind() {
    return this.aheadSeq > this.lastSeq;
  }

  get appliedSeqs() {
    return [...this.applied].sort((a, b) => a - b);
  }
}
