/**
 * The live HLS media playlist of a looped stream, as a pure function of the clock.
 *
 * A demo camera's video is one short loop of segments made once (server/video/segments.ts). The hub
 * plays that loop forever on a wall-clock timeline: slot k of the timeline is segment k mod S of the
 * loop, starting at `startMs + floor(k / S) * loopMs + offset(k mod S)`. A slot is published when
 * the clock passes its end (each of its parts when the clock passes the part's end), so the playlist
 * advances in real time with no process behind it, and every process that shares `startMs` answers
 * the same playlist.
 *
 * Timestamps inside the loop restart at every wrap, so the first slot of each loop carries
 * EXT-X-DISCONTINUITY. Outages (a camera cut at the hub) remove slots from the timeline: the slot
 * that was being made when the cut came is closed with the parts already published, slots inside the
 * outage are never published, and the first slot after it carries a discontinuity. Media sequence
 * numbers count published slots only, so they stay consecutive and keep increasing across outages.
 *
 * Everything is in whole milliseconds (no float drift over months of slots); seconds appear only
 * when the text is written.
 */

export interface LoopSegment {
  /** durations of the segment's parts in ms, in order; the segment is their concatenation */
  partsMs: readonly number[];
}

export interface Outage {
  fromMs: number;
  /** undefined while it lasts */
  toMs?: number | undefined;
}

export interface LiveStream {
  /** one loop, played over and over */
  loop: readonly LoopSegment[];
  /** wall-clock start of slot 0 (the hub uses midnight UTC: see timelineStart in server/video/service.ts) */
  startMs: number;
  /** when the stream was cut, oldest first; those starting after `now` are ignored */
  outages?: readonly Outage[];
  /** every part starts with a key frame (EXT-X-PART INDEPENDENT=YES) */
  independentParts?: boolean;
}

export interface PlaylistOptions {
  nowMs: number;
  /** complete segments listed (the sliding window) */
  windowSegments: number;
  /**
   * Low-latency HLS: EXT-X-PART for the recent segments and the one being made, EXT-X-PRELOAD-HINT,
   * EXT-X-SERVER-CONTROL with CAN-BLOCK-RELOAD (the server must then honour _HLS_msn/_HLS_part).
   */
  lowLatency: boolean;
  segmentUri: (msn: number) => string;
  partUri: (msn: number, part: number) => string;
  /** PART-HOLD-BACK in ms; default three part targets (the spec's recommended minimum) */
  partHoldBackMs?: number;
}

/** What a playlist lists, for tests and for the route that answers blocking reloads. */
export interface PlaylistEntry {
  msn: number;
  /** the timeline slot (k): loop index is k mod loop length */
  slot: number;
  loopIndex: number;
  /** wall-clock start (EXT-X-PROGRAM-DATE-TIME) */
  startMs: number;
  /** ms of media listed: the whole segment, or the parts published so far */
  durationMs: number;
  discontinuity: boolean;
  /** complete segment (EXTINF) or the one being made (parts only) */
  complete: boolean;
  /** parts listed with EXT-X-PART (low-latency only) */
  parts: { index: number; durationMs: number }[];
}

export interface LivePlaylist {
  text: string;
  mediaSequence: number;
  discontinuitySequence: number;
  entries: PlaylistEntry[];
  /** msn of the last complete segment, or -1 */
  lastMsn: number;
  /** the segment being made and how many of its parts are out, if any */
  partial?: { msn: number; parts: number } | undefined;
  preloadHint?: { msn: number; part: number } | undefined;
  /** an outage is in progress: the playlist will not advance until it ends */
  frozen: boolean;
  targetDurationS: number;
  partTargetMs: number;
}

/** A slot range [from, to] (inclusive; to may be Infinity) that was never published. */
interface Gap {
  from: number;
  to: number;
}

const ISO = (ms: number) => new Date(ms).toISOString();
const secs = (ms: number) => (ms / 1000).toFixed(3);

/**
 * The stream's timeline as seen at `nowMs`: loop geometry plus the gaps and closed-early slots the
 * outages made. Cheap to build (outages are few), so it is built per request.
 */
export class Timeline {
  readonly S: number;
  readonly loopMs: number;
  /** start offset of each loop segment */
  private readonly offsets: number[];
  /** cumulative part ends per loop segment */
  private readonly partEnds: number[][];
  readonly gaps: Gap[] = [];
  /** slots closed early by a cut: parts published and when */
  private readonly truncated = new Map<number, { parts: number; atMs: number }>();
  /** an outage is in progress at nowMs */
  readonly frozen: boolean;
  readonly maxSegmentMs: number;
  readonly maxPartMs: number;

  constructor(
    readonly stream: LiveStream,
    readonly nowMs: number,
  ) {
    if (stream.loop.length === 0) throw new Error('a live stream needs at least one segment in its loop');
    this.S = stream.loop.length;
    this.offsets = [];
    this.partEnds = [];
    let at = 0;
    let maxSeg = 0;
    let maxPart = 0;
    for (const seg of stream.loop) {
      if (seg.partsMs.length === 0) throw new Error('every loop segment needs at least one part');
      this.offsets.push(at);
      const ends: number[] = [];
      let e = 0;
      for (const p of seg.partsMs) {
        if (!Number.isInteger(p) || p <= 0) throw new Error(`part durations must be whole positive ms, not ${p}`);
        e += p;
        ends.push(e);
        maxPart = Math.max(maxPart, p);
      }
      this.partEnds.push(ends);
      maxSeg = Math.max(maxSeg, e);
      at += e;
    }
    this.loopMs = at;
    this.maxSegmentMs = maxSeg;
    this.maxPartMs = maxPart;

    let frozen = false;
    const raw: Gap[] = [];
    const cuts: { slot: number; parts: number; atMs: number }[] = [];
    for (const o of stream.outages ?? []) {
      if (o.fromMs > nowMs) continue; // not happened yet at this clock
      const ongoing = o.toMs === undefined || o.toMs > nowMs;
      if (ongoing) frozen = true;
      // the slot being made when the cut came keeps the parts already out
      let dropFrom: number;
      if (o.fromMs < stream.startMs) dropFrom = 0;
      else {
        const kf = this.slotAt(o.fromMs);
        const done = this.partsDoneAt(kf, o.fromMs);
        if (done > 0) cuts.push({ slot: kf, parts: done, atMs: o.fromMs });
        dropFrom = done > 0 ? kf + 1 : kf;
      }
      // publishing resumes with the first slot that starts at or after the restore
      let dropTo = Infinity;
      if (!ongoing) {
        const to = o.toMs!;
        if (to <= stream.startMs) dropTo = -1;
        else {
          let ke = this.slotAt(to);
          if (this.slotStart(ke) < to) ke++;
          dropTo = ke - 1;
        }
      }
      if (dropTo >= dropFrom) raw.push({ from: dropFrom, to: dropTo });
    }
    raw.sort((a, b) => a.from - b.from);
    for (const g of raw) {
      const last = this.gaps[this.gaps.length - 1];
      if (last && g.from <= last.to + 1) last.to = Math.max(last.to, g.to);
      else this.gaps.push({ ...g });
    }
    for (const c of cuts) {
      if (this.isDropped(c.slot)) continue;
      const prev = this.truncated.get(c.slot);
      if (!prev || c.parts < prev.parts) this.truncated.set(c.slot, { parts: c.parts, atMs: c.atMs });
    }
    this.frozen = frozen;
  }

  slotStart(k: number): number {
    return this.stream.startMs + Math.floor(k / this.S) * this.loopMs + this.offsets[k % this.S]!;
  }

  /** the slot whose time span holds t (t ≥ startMs), else -1 */
  slotAt(t: number): number {
    if (t < this.stream.startMs) return -1;
    const rel = t - this.stream.startMs;
    const n = Math.floor(rel / this.loopMs);
    const r = rel - n * this.loopMs;
    let j = 0;
    while (j + 1 < this.S && this.offsets[j + 1]! <= r) j++;
    return n * this.S + j;
  }

  /** parts of slot k whose end is at or before t */
  private partsDoneAt(k: number, t: number): number {
    const start = this.slotStart(k);
    const ends = this.partEnds[k % this.S]!;
    let n = 0;
    while (n < ends.length && start + ends[n]! <= t) n++;
    return n;
  }

  isDropped(k: number): boolean {
    for (const g of this.gaps) {
      if (k < g.from) return false;
      if (k <= g.to) return true;
    }
    return false;
  }

  isTruncated(k: number): boolean {
    return this.truncated.has(k);
  }

  /** how many parts slot k has (fewer when a cut closed it early) */
  partsOf(k: number): number {
    return this.truncated.get(k)?.parts ?? this.partEnds[k % this.S]!.length;
  }

  partDurationMs(k: number, p: number): number {
    const ends = this.partEnds[k % this.S]!;
    return ends[p]! - (p === 0 ? 0 : ends[p - 1]!);
  }

  /** the wall-clock time part p of slot k is complete */
  partEndMs(k: number, p: number): number {
    return this.slotStart(k) + this.partEnds[k % this.S]![p]!;
  }

  durationOf(k: number): number {
    const ends = this.partEnds[k % this.S]!;
    return ends[this.partsOf(k) - 1]!;
  }

  /** when slot k is complete: its natural end, or the cut that closed it */
  completeAt(k: number): number {
    return this.truncated.get(k)?.atMs ?? this.slotStart(k) + this.partEnds[k % this.S]![this.partEnds[k % this.S]!.length - 1]!;
  }

  /** timestamps restart here: a loop wrap, or the first slot after a gap or a closed-early slot */
  hasDiscontinuity(k: number): boolean {
    return k > 0 && (k % this.S === 0 || this.isDropped(k - 1) || this.truncated.has(k - 1));
  }

  private droppedBefore(k: number): number {
    let n = 0;
    for (const g of this.gaps) {
      if (g.from >= k) break;
      n += Math.min(g.to, k - 1) - g.from + 1;
    }
    return n;
  }

  msnOf(k: number): number {
    return k - this.droppedBefore(k);
  }

  /** the slot published under msn, or undefined when that msn lies beyond an outage in progress */
  slotOfMsn(msn: number): number | undefined {
    let k = msn;
    for (const g of this.gaps) {
      if (g.from > k) break;
      if (g.to === Infinity) return undefined;
      k += g.to - g.from + 1;
    }
    return k;
  }

  /** EXT-X-DISCONTINUITY tags on published slots before slot k0 */
  discontinuitiesBefore(k0: number): number {
    if (k0 <= 1) return 0;
    const hi = k0 - 1;
    const multiples = (lo: number, top: number) => (top < lo ? 0 : Math.floor(top / this.S) - Math.floor((lo - 1) / this.S));
    let n = multiples(1, hi);
    for (const g of this.gaps) {
      if (g.from > hi) break;
      // wraps inside a gap were never published
      n -= multiples(Math.max(g.from, 1), Math.min(g.to, hi));
      // the slot after a gap restarts timestamps (counted above already when it is also a wrap)
      const after = g.to + 1;
      if (after <= hi && after % this.S !== 0) n++;
    }
    for (const t of this.truncated.keys()) {
      const after = t + 1;
      if (after <= hi && after % this.S !== 0 && !this.isDropped(after)) n++;
    }
    return n;
  }

  /** the last published slot before k, or -1 */
  prevPublished(k: number): number {
    let j = k - 1;
    for (let i = this.gaps.length - 1; i >= 0 && j >= 0; i--) {
      const g = this.gaps[i]!;
      if (j > g.to) continue;
      if (j >= g.from) j = g.from - 1;
    }
    return j;
  }

  /**
   * The live edge at nowMs: the last complete slot, and the slot being made with its parts out so
   * far (none while an outage lasts or in the gap before the first slot after a restore).
   */
  edge(): { last: number; partial?: { slot: number; parts: number } | undefined } {
    const now = this.nowMs;
    const k = this.slotAt(now);
    if (k < 0) return { last: -1 };
    if (this.truncated.has(k)) return { last: k };
    const last = this.prevPublished(k);
    if (this.isDropped(k)) return { last };
    return { last, partial: { slot: k, parts: this.partsDoneAt(k, now) } };
  }
}

/** TARGETDURATION: the longest segment, rounded to the nearest second as the spec asks (at least 1). */
export const targetDurationS = (t: Timeline) => Math.max(1, Math.round(t.maxSegmentMs / 1000));

/** The sliding-window media playlist of `stream` at `opts.nowMs`. */
export function livePlaylist(stream: LiveStream, opts: PlaylistOptions): LivePlaylist {
  const t = new Timeline(stream, opts.nowMs);
  const td = targetDurationS(t);
  const partTarget = t.maxPartMs;
  const ll = opts.lowLatency;
  const { last, partial } = t.edge();

  // the window: up to windowSegments complete slots ending at the edge
  const slots: number[] = [];
  for (let k = last; k >= 0 && slots.length < Math.max(1, opts.windowSegments); k = t.prevPublished(k)) slots.unshift(k);
  const lastMsn = last >= 0 ? t.msnOf(last) : -1;

  // parts are kept for the last three target durations only, as the spec recommends
  const partsSince = opts.nowMs - 3 * td * 1000;
  const entries: PlaylistEntry[] = slots.map((k) => ({
    msn: t.msnOf(k),
    slot: k,
    loopIndex: k % t.S,
    startMs: t.slotStart(k),
    durationMs: t.durationOf(k),
    discontinuity: t.hasDiscontinuity(k),
    complete: true,
    parts:
      ll && t.completeAt(k) > partsSince ? Array.from({ length: t.partsOf(k) }, (_, p) => ({ index: p, durationMs: t.partDurationMs(k, p) })) : [],
  }));
  let partialOut: LivePlaylist['partial'];
  if (ll && partial && partial.parts > 0) {
    const k = partial.slot;
    const parts = Array.from({ length: partial.parts }, (_, p) => ({ index: p, durationMs: t.partDurationMs(k, p) }));
    entries.push({
      msn: t.msnOf(k),
      slot: k,
      loopIndex: k % t.S,
      startMs: t.slotStart(k),
      durationMs: parts.reduce((a, p) => a + p.durationMs, 0),
      discontinuity: t.hasDiscontinuity(k),
      complete: false,
      parts,
    });
    partialOut = { msn: t.msnOf(k), parts: partial.parts };
  }
  // the next part to come: the rest of the slot being made, or the first part of the next slot
  let hint: LivePlaylist['preloadHint'];
  if (ll && !t.frozen) {
    hint = partial && partial.parts > 0 ? { msn: t.msnOf(partial.slot), part: partial.parts } : { msn: lastMsn + 1, part: 0 };
  }

  const first = entries[0];
  const mediaSequence = first ? first.msn : Math.max(0, lastMsn + 1);
  const discontinuitySequence = first ? t.discontinuitiesBefore(first.slot) : 0;

  const lines = ['#EXTM3U', '#EXT-X-VERSION:6', `#EXT-X-TARGETDURATION:${td}`];
  if (ll) {
    const phb = Math.max(opts.partHoldBackMs ?? 3 * partTarget, 2 * partTarget);
    lines.push(`#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=${secs(phb)},HOLD-BACK=${secs(3 * td * 1000)}`);
    lines.push(`#EXT-X-PART-INF:PART-TARGET=${secs(partTarget)}`);
  }
  lines.push('#EXT-X-INDEPENDENT-SEGMENTS', `#EXT-X-MEDIA-SEQUENCE:${mediaSequence}`, `#EXT-X-DISCONTINUITY-SEQUENCE:${discontinuitySequence}`);
  for (const e of entries) {
    if (e.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${ISO(e.startMs)}`);
    for (const p of e.parts) {
      // a segment's first part starts it, and segments are independent (EXT-X-INDEPENDENT-SEGMENTS)
      const independent = p.index === 0 || stream.independentParts ? ',INDEPENDENT=YES' : '';
      lines.push(`#EXT-X-PART:DURATION=${secs(p.durationMs)},URI="${opts.partUri(e.msn, p.index)}"${independent}`);
    }
    if (e.complete) lines.push(`#EXTINF:${secs(e.durationMs)},`, opts.segmentUri(e.msn));
  }
  if (hint) lines.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${opts.partUri(hint.msn, hint.part)}"`);
  lines.push('');

  return {
    text: lines.join('\n'),
    mediaSequence,
    discontinuitySequence,
    entries,
    lastMsn,
    partial: partialOut,
    preloadHint: hint,
    frozen: t.frozen,
    targetDurationS: td,
    partTargetMs: partTarget,
  };
}

/** Where a requested segment or part stands at nowMs. */
export type Located =
  | { status: 'ready'; slot: number; loopIndex: number; parts: number[]; startMs: number }
  | { status: 'pending'; readyAtMs: number }
  /** never coming: beyond an outage in progress, or a part index the slot does not have */
  | { status: 'never' }
  /** published too long ago to be kept */
  | { status: 'expired' };

/**
 * Resolves a media sequence number (and part) to loop media. `keepMs` is how long after being
 * published a segment is still served (players that fell behind).
 */
export function locate(stream: LiveStream, nowMs: number, msn: number, part: number | undefined, keepMs: number): Located {
  const t = new Timeline(stream, nowMs);
  const k = t.slotOfMsn(msn);
  if (k === undefined) return { status: 'never' };
  let readyAt: number;
  let parts: number[];
  if (part === undefined) {
    readyAt = t.completeAt(k);
    parts = Array.from({ length: t.partsOf(k) }, (_, p) => p);
  } else {
    if (part >= t.partsOf(k)) return { status: 'never' };
    readyAt = t.partEndMs(k, part);
    parts = [part];
  }
  if (readyAt > nowMs) return { status: 'pending', readyAtMs: readyAt };
  if (nowMs - readyAt > keepMs) return { status: 'expired' };
  return { status: 'ready', slot: k, loopIndex: k % t.S, parts, startMs: t.slotStart(k) };
}

/**
 * Whether a blocking playlist reload (_HLS_msn, _HLS_part) can be answered at nowMs: the playlist
 * holds segment msn complete, or part `part` of it. A part index past the segment's last part waits
 * for the whole segment.
 */
export function hasPublished(stream: LiveStream, nowMs: number, msn: number, part: number | undefined): boolean {
  const t = new Timeline(stream, nowMs);
  const { last, partial } = t.edge();
  if (last >= 0 && t.msnOf(last) >= msn) return true;
  if (part === undefined || !partial) return false;
  return t.msnOf(partial.slot) === msn && partial.parts > part;
}

/** When the next part or segment of the stream comes out after nowMs (undefined while frozen). */
export function nextPublishAt(stream: LiveStream, nowMs: number): number | undefined {
  const t = new Timeline(stream, nowMs);
  if (t.frozen) return undefined;
  if (nowMs < stream.startMs) return t.partEndMs(0, 0);
  // the slot now, or the first published one after it (gaps are skipped whole)
  for (let k = t.slotAt(nowMs); ; k++) {
    const gap = t.gaps.find((g) => k >= g.from && k <= g.to);
    if (gap) {
      k = gap.to; // the loop's k++ steps past it
      continue;
    }
    for (let p = 0; p < t.partsOf(k); p++) {
      const end = t.partEndMs(k, p);
      if (end > nowMs) return end;
    }
  }
}
