/**
 * The queue's text search, in memory. Most searches are two or three Chinese characters, which no
 * SQLite tokenizer indexes (FTS5's trigram needs three, unicode61 does not split Chinese), and a
 * scan of the search text inside SQLite costs ~10 ms per 100,000 events before any sorting. The
 * same scan over JavaScript strings takes ~2 ms, so the cache keeps each event's lower-cased search
 * text here, keyed by the event row's rowid, and hands SQLite the matching rowids.
 *
 * The table `event_search` stays the durable copy: this index is rebuilt from it whenever it is
 * dropped (first search after start, a failed transaction, a reset).
 */

export interface SearchHits {
  /** matching rowids */
  rowids: number[];
  /** hit(rowid) for a SQL predicate that walks an index in queue order */
  has(rowid: number): boolean;
}

export class SearchIndex {
  private readonly texts = new Map<number, string>();
  /** the last search's answer, until the next write: scrolling a search result reuses it */
  private last: { needle: string; hits: SearchHits } | undefined;

  get size(): number {
    return this.texts.size;
  }

  set(rowid: number, text: string): void {
    if (this.texts.get(rowid) === text) return;
    this.texts.set(rowid, text);
    this.last = undefined;
  }

  delete(rowid: number): void {
    if (this.texts.delete(rowid)) this.last = undefined;
  }

  /** `needle` is matched as a plain substring of the lower-cased text (callers lower-case it). */
  match(needle: string): SearchHits {
    if (this.last?.needle === needle) return this.last.hits;
    const rowids: number[] = [];
    for (const [rowid, text] of this.texts) if (text.includes(needle)) rowids.push(rowid);
    const set = rowids.length > 64 ? new Set(rowids) : undefined;
    const hits: SearchHits = { rowids, has: set ? (r) => set.has(r) : (r) => rowids.includes(r) };
    this.last = { needle, hits };
    return hits;
  }
}
