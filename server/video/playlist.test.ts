import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasPublished, livePlaylist, locate, nextPublishAt, type LiveStream, type Outage, type PlaylistOptions } from './playlist';

/* A loop of 3 one-second segments of two half-second parts: small enough to reason about by hand. */
const LOOP3 = [{ partsMs: [500, 500] }, { partsMs: [500, 500] }, { partsMs: [500, 500] }];
const uris = { segmentUri: (m: number) => `s/${m}.ts`, partUri: (m: number, p: number) => `s/${m}.${p}.ts` };
const opts = (nowMs: number, o: Partial<PlaylistOptions> = {}): PlaylistOptions => ({ nowMs, windowSegments: 3, lowLatency: true, ...uris, ...o });

/** What a player reads from the text: per segment its msn, discontinuity sequence, PDT, duration and parts. */
interface Parsed {
  targetDuration: number;
  mediaSequence: number;
  discontinuitySequence: number;
  segments: { msn: number; cc: number; pdt: number; duration: number; uri?: string; parts: { duration: number; uri: string; independent: boolean }[] }[];
  hint?: string;
  serverControl?: string;
  partTarget?: number;
}

function parse(text: string): Parsed {
  const lines = text.trim().split('\n');
  expect(lines[0]).toBe('#EXTM3U');
  const out: Parsed = { targetDuration: NaN, mediaSequence: NaN, discontinuitySequence: NaN, segments: [] };
  let cc = 0;
  let msn = 0;
  let cur: Parsed['segments'][number] | undefined;
  const open = () => (cur ??= { msn, cc, pdt: NaN, duration: NaN, parts: [] });
  for (const line of lines.slice(1)) {
    const [tag, value = ''] = line.split(/:(.*)/s);
    switch (tag) {
      case '#EXT-X-TARGETDURATION':
        out.targetDuration = Number(value);
        break;
      case '#EXT-X-MEDIA-SEQUENCE':
        out.mediaSequence = msn = Number(value);
        break;
      case '#EXT-X-DISCONTINUITY-SEQUENCE':
        out.discontinuitySequence = cc = Number(value);
        break;
      case '#EXT-X-DISCONTINUITY':
        expect(cur, 'a discontinuity tag opens a segment').toBeUndefined();
        cc++;
        open().cc = cc;
        break;
      case '#EXT-X-PROGRAM-DATE-TIME':
        open().pdt = Date.parse(value);
        break;
      case '#EXT-X-PART': {
        const d = /DURATION=([\d.]+),URI="([^"]+)"(,INDEPENDENT=YES)?$/.exec(value);
        expect(d, line).not.toBeNull();
        open().parts.push({ duration: Math.round(Number(d![1]) * 1000), uri: d![2]!, independent: !!d![3] });
        break;
      }
      case '#EXTINF':
        open().duration = Math.round(Number(value.replace(/,$/, '')) * 1000);
        break;
      case '#EXT-X-PRELOAD-HINT':
        out.hint = /URI="([^"]+)"/.exec(value)![1];
        break;
      case '#EXT-X-SERVER-CONTROL':
        out.serverControl = value;
        break;
      case '#EXT-X-PART-INF':
        out.partTarget = Number(/PART-TARGET=([\d.]+)/.exec(value)![1]);
        break;
      default:
        if (!line.startsWith('#') && line) {
          open().uri = line;
          out.segments.push(cur!);
          cur = undefined;
          msn++;
        }
    }
  }
  if (cur) out.segments.push(cur); // the segment being made: parts only
  return out;
}

/*
 * A reference model written the slow way, from the rules stated in words: walk every slot from the
 * start; a part is out when its end has passed and no cut caught it (a cut at f kills the parts of
 * slots that started before the restore and had not ended by f); a slot with some parts out but some
 * killed was closed early; a slot is listed complete when all its parts are out or a cut closed it.
 */
function reference(stream: LiveStream, nowMs: number, windowSegments: number) {
  const S = stream.loop.length;
  const loopMs = stream.loop.reduce((a, s) => a + s.partsMs.reduce((x, y) => x + y, 0), 0);
  const outs = (stream.outages ?? []).filter((o) => o.fromMs <= nowMs).map((o) => ({ from: o.fromMs, to: o.toMs !== undefined && o.toMs <= nowMs ? o.toMs : Infinity }));
  const frozen = outs.some((o) => o.to === Infinity);
  type Slot = { k: number; start: number; parts: number[]; out: number; killed: boolean };
  const slots: Slot[] = [];
  for (let k = 0; ; k++) {
    const seg = stream.loop[k % S]!;
    const start = stream.startMs + Math.floor(k / S) * loopMs + stream.loop.slice(0, k % S).reduce((a, s) => a + s.partsMs.reduce((x, y) => x + y, 0), 0);
    if (start > nowMs) break;
    let end = start;
    let out = 0;
    let killed = false;
    for (const p of seg.partsMs) {
      end += p;
      if (outs.some((o) => o.from < end && start < o.to)) {
        killed = true;
        break;
      }
      if (end <= nowMs) out++;
      else break;
    }
    slots.push({ k, start, parts: seg.partsMs.slice(0, out), out, killed });
  }
  const published = slots.filter((s) => s.out > 0 || (!s.killed && s.start <= nowMs));
  // msn counts slots that got (or are getting) parts out; a slot not started by a restore never does
  let msn = 0;
  let cc = 0;
  const rows: { k: number; msn: number; cc: number; disc: boolean; complete: boolean; parts: number[]; start: number }[] = [];
  for (const s of published) {
    if (s.out === 0) break; // the slot just started: nothing out yet
    // timestamps restart at a wrap, and after any slot a cut caught
    const disc = s.k > 0 && (s.k % S === 0 || slots[s.k - 1]!.killed);
    if (disc) cc++;
    const complete = s.killed || s.out === stream.loop[s.k % S]!.partsMs.length;
    rows.push({ k: s.k, msn: msn++, cc, disc, complete, parts: s.parts, start: s.start });
  }
  const complete = rows.filter((r) => r.complete);
  const partial = rows.find((r) => !r.complete);
  const win = complete.slice(-windowSegments);
  return { frozen, win, partial, lastMsn: complete.length ? complete[complete.length - 1]!.msn : -1, slotsSeen: slots };
}

describe('live playlist: by hand', () => {
  const stream: LiveStream = { loop: LOOP3, startMs: 0, independentParts: true };

  it('is empty before the first part is out, and hints at that part', () => {
    const p = livePlaylist(stream, opts(0));
    expect(p.entries).toEqual([]);
    expect(p.text).toContain('#EXT-X-MEDIA-SEQUENCE:0');
    expect(parse(p.text).hint).toBe('s/0.0.ts');
  });

  it('lists a complete loop, then the next loop behind a discontinuity', () => {
    let p = parse(livePlaylist(stream, opts(3000)).text);
    expect(p.segments.map((s) => [s.msn, s.cc, s.pdt, s.duration, s.uri])).toEqual([
      [0, 0, 0, 1000, 's/0.ts'],
      [1, 0, 1000, 1000, 's/1.ts'],
      [2, 0, 2000, 1000, 's/2.ts'],
    ]);
    expect(p.hint).toBe('s/3.0.ts');
    // half a second later the first part of slot 3 (loop 2, segment 0) is out: timestamps restart
    const raw = livePlaylist(stream, opts(3500)).text;
    expect(raw).toMatch(/#EXTINF:1\.000,\ns\/2\.ts\n#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:1970-01-01T00:00:03\.000Z\n#EXT-X-PART:DURATION=0\.500,URI="s\/3\.0\.ts",INDEPENDENT=YES\n#EXT-X-PRELOAD-HINT:TYPE=PART,URI="s\/3\.1\.ts"\n$/);
    p = parse(livePlaylist(stream, opts(4000)).text);
    expect(p.mediaSequence).toBe(1);
    expect(p.discontinuitySequence).toBe(0);
    expect(p.segments.map((s) => [s.msn, s.cc])).toEqual([
      [1, 0],
      [2, 0],
      [3, 1],
    ]);
    // slot 3 first in the window keeps its tag; once it slides out the sequence counts it
    p = parse(livePlaylist(stream, opts(6000)).text);
    expect([p.mediaSequence, p.discontinuitySequence, p.segments[0]!.cc]).toEqual([3, 0, 1]);
    p = parse(livePlaylist(stream, opts(7000)).text);
    expect([p.mediaSequence, p.discontinuitySequence, p.segments.map((s) => s.cc)]).toEqual([4, 1, [1, 1, 2]]);
  });

  it('writes the header a low-latency player needs, and a plain one without the low-latency tags', () => {
    const ll = livePlaylist(stream, opts(10_250));
    expect(ll.text).toContain('#EXT-X-TARGETDURATION:1\n');
    expect(ll.text).toContain('#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.500,HOLD-BACK=3.000\n');
    expect(ll.text).toContain('#EXT-X-PART-INF:PART-TARGET=0.500\n');
    expect(ll.text).toContain('#EXT-X-INDEPENDENT-SEGMENTS\n');
    const plain = livePlaylist(stream, opts(10_250, { lowLatency: false }));
    expect(plain.text).not.toMatch(/PART|SERVER-CONTROL|PRELOAD/);
    expect(parse(plain.text).segments.map((s) => s.msn)).toEqual([7, 8, 9]);
    expect(livePlaylist(stream, opts(10_250, { partHoldBackMs: 2000 })).text).toContain('PART-HOLD-BACK=2.000');
  });

  it('keeps parts for the last three target durations only', () => {
    const p = parse(livePlaylist(stream, opts(20_500, { windowSegments: 6 })).text);
    expect(p.segments.map((s) => s.parts.length)).toEqual([0, 0, 0, 2, 2, 2, 1]);
    expect(p.segments.at(-1)!.uri).toBeUndefined();
  });

  it('slides with the clock: one segment a second, at segment boundaries exactly', () => {
    for (let now = 3000; now < 40_000; now += 250) {
      const p = livePlaylist(stream, opts(now));
      expect(p.lastMsn).toBe(Math.floor(now / 1000) - 1);
      expect(p.mediaSequence).toBe(Math.max(0, Math.floor(now / 1000) - 3));
      // PDT of each segment is its slot's start; the partial one is where the clock is
      for (const e of p.entries) expect(e.startMs).toBe(e.slot * 1000);
      const partial = p.entries.find((e) => !e.complete);
      expect(partial?.parts.length ?? 0).toBe(Math.floor((now % 1000) / 500));
    }
  });

  it('is exact after months of loops (epoch start, big sequence numbers)', () => {
    const now = Date.UTC(2026, 10, 24, 3, 30, 7, 250);
    const p = parse(livePlaylist(stream, opts(now)).text);
    const k = Math.floor(now / 1000) - 1; // last complete slot
    expect(p.segments.filter((s) => s.uri).at(-1)!.msn).toBe(k);
    expect(p.mediaSequence).toBe(k - 2);
    // wraps before the first listed slot: slots 3, 6, … below it
    expect(p.discontinuitySequence).toBe(Math.floor((k - 3) / 3));
    for (const s of p.segments) expect(s.pdt).toBe(s.msn * 1000);
  });

  it('freezes at a cut, closing the slot being made with the parts out, then resumes at the live edge', () => {
    const cut: Outage = { fromMs: 10_700 };
    const frozen = livePlaylist({ ...stream, outages: [cut] }, opts(30_000));
    const f = parse(frozen.text);
    expect(frozen.frozen).toBe(true);
    expect(f.hint).toBeUndefined();
    // slot 10 had one part out at 10.7 s: it ends the playlist as a half-second segment
    expect(f.segments.map((s) => [s.msn, s.duration, s.parts.length])).toEqual([
      [8, 1000, 0],
      [9, 1000, 0],
      [10, 500, 0],
    ]);
    // the same segments as just after the cut: it stopped advancing
    const atCut = parse(livePlaylist({ ...stream, outages: [cut] }, opts(10_700)).text);
    expect(atCut.segments.map((s) => [s.msn, s.duration])).toEqual(f.segments.map((s) => [s.msn, s.duration]));
    // restored at 15.2 s: publishing resumes with slot 16 (the first to start after it), msn 11
    const restored = { ...stream, outages: [{ fromMs: 10_700, toMs: 15_200 }] };
    expect(livePlaylist(restored, opts(15_900)).preloadHint).toEqual({ msn: 11, part: 0 });
    const r = parse(livePlaylist(restored, opts(17_000)).text);
    expect(r.segments.map((s) => [s.msn, s.pdt, s.duration, s.cc])).toEqual([
      [9, 9000, 1000, 3],
      [10, 10_000, 500, 3],
      [11, 16_000, 1000, 4],
    ]);
    // a wrap right after the gap is one discontinuity, not two (slot 18 is a wrap)
    const wrap = parse(livePlaylist({ ...stream, outages: [{ fromMs: 10_700, toMs: 17_100 }] }, opts(19_000)).text);
    expect(wrap.segments.map((s) => [s.msn, s.cc])).toEqual([
      [9, 3],
      [10, 3],
      [11, 4],
    ]);
  });
});

describe('live playlist: against a slow reference model', () => {
  const arbStream = fc.record({
    loop: fc.array(fc.array(fc.integer({ min: 1, max: 4 }).map((n) => n * 250), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 }),
    startMs: fc.integer({ min: 0, max: 5000 }),
    cuts: fc.array(fc.tuple(fc.integer({ min: 0, max: 60_000 }), fc.option(fc.integer({ min: 1, max: 8000 }), { nil: undefined })), { maxLength: 3 }),
  });
  const build = (a: { loop: number[][]; startMs: number; cuts: [number, number | undefined][] }): LiveStream => {
    // outages do not overlap: a camera is cut, restored, cut again
    const outages: Outage[] = [];
    let after = 0;
    for (const [from, len] of [...a.cuts].sort((x, y) => x[0] - y[0])) {
      const f = Math.max(from, after);
      outages.push({ fromMs: f, toMs: len === undefined ? undefined : f + len });
      if (len === undefined) break;
      after = f + len + 1;
    }
    return { loop: a.loop.map((partsMs) => ({ partsMs })), startMs: a.startMs, outages, independentParts: true };
  };

  it('agrees on sequence numbers, discontinuities, PDT, durations and parts', () => {
    fc.assert(
      fc.property(arbStream, fc.integer({ min: 0, max: 80_000 }), fc.integer({ min: 1, max: 6 }), (a, now, windowSegments) => {
        const stream = build(a);
        const ref = reference(stream, now, windowSegments);
        const p = livePlaylist(stream, opts(now, { windowSegments }));
        const parsed = parse(p.text);
        const listed = parsed.segments.filter((s) => s.uri);
        expect(listed.map((s) => s.msn)).toEqual(ref.win.map((r) => r.msn));
        expect(listed.map((s) => s.cc)).toEqual(ref.win.map((r) => r.cc));
        expect(listed.map((s) => s.pdt)).toEqual(ref.win.map((r) => r.start));
        expect(listed.map((s) => s.duration)).toEqual(ref.win.map((r) => r.parts.reduce((x, y) => x + y, 0)));
        expect(p.lastMsn).toBe(ref.lastMsn);
        expect(p.frozen).toBe(ref.frozen);
        const partial = parsed.segments.find((s) => !s.uri);
        expect(partial ? [partial.msn, partial.cc, partial.pdt, partial.parts.map((x) => x.duration)] : undefined).toEqual(
          ref.partial ? [ref.partial.msn, ref.partial.cc, ref.partial.start, ref.partial.parts] : undefined,
        );
        if (ref.frozen) expect(parsed.hint).toBeUndefined();
        else if (ref.partial) expect(parsed.hint).toBe(`s/${ref.partial.msn}.${ref.partial.parts.length}.ts`);
        else expect(parsed.hint).toBe(`s/${ref.lastMsn + 1}.0.ts`);
      }),
      { numRuns: 1000 },
    );
  });

  it('never changes what it published: each msn keeps its slot, PDT and discontinuity sequence from reload to reload', () => {
    fc.assert(
      fc.property(arbStream, fc.array(fc.integer({ min: 0, max: 80_000 }), { minLength: 2, maxLength: 12 }), (a, times) => {
        const stream = build(a);
        const seen = new Map<number, string>();
        let lastMsn = -1;
        for (const now of times.sort((x, y) => x - y)) {
          const p = livePlaylist(stream, opts(now, { windowSegments: 5 }));
          expect(p.lastMsn).toBeGreaterThanOrEqual(lastMsn);
          lastMsn = p.lastMsn;
          for (const s of parse(p.text).segments.filter((x) => x.uri)) {
            const id = `${s.pdt}/${s.cc}/${s.duration}`;
            expect(seen.get(s.msn) ?? id, `msn ${s.msn} at ${now}`).toBe(id);
            seen.set(s.msn, id);
          }
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('serving helpers', () => {
  const stream: LiveStream = { loop: LOOP3, startMs: 0, outages: [{ fromMs: 10_700, toMs: 15_200 }] };

  it('locates segments and parts: ready, pending, never, expired', () => {
    expect(locate(stream, 12_000, 9, undefined, 60_000)).toEqual({ status: 'ready', slot: 9, loopIndex: 0, parts: [0, 1], startMs: 9000 });
    expect(locate(stream, 12_000, 10, undefined, 60_000)).toEqual({ status: 'ready', slot: 10, loopIndex: 1, parts: [0], startMs: 10_000 });
    expect(locate(stream, 12_000, 10, 1, 60_000)).toEqual({ status: 'never' });
    expect(locate(stream, 16_200, 11, 1, 60_000)).toEqual({ status: 'pending', readyAtMs: 17_000 });
    expect(locate(stream, 200_000, 11, 1, 60_000)).toEqual({ status: 'expired' });
    expect(locate({ ...stream, outages: [{ fromMs: 10_700 }] }, 30_000, 11, 0, 60_000)).toEqual({ status: 'never' });
  });

  it('answers blocking reloads and says when the next part comes', () => {
    expect(hasPublished(stream, 3600, 3, 0)).toBe(true);
    expect(hasPublished(stream, 3600, 3, 1)).toBe(false);
    expect(hasPublished(stream, 3600, 3, undefined)).toBe(false);
    expect(hasPublished(stream, 4000, 3, 5)).toBe(true);
    expect(nextPublishAt(stream, 3600)).toBe(4000);
    expect(nextPublishAt(stream, 15_300)).toBe(16_500);
    expect(nextPublishAt(stream, 12_000)).toBeUndefined(); // cut then
    expect(nextPublishAt({ ...stream, outages: [{ fromMs: 10_700 }] }, 12_000)).toBeUndefined();
  });
});
