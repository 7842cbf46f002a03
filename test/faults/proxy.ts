/**
 * A TCP proxy a fault test controls, between a console and the hub: cut (destroy every connection),
 * stall (pause both directions for a while), delay (latency per chunk), reset (RST) and the lost
 * ack (the hub answered a POST /api/commands(/batch): the answer is dropped and the client's socket
 * destroyed before it arrives).
 */
import net from 'node:net';

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  /** a command POST went up on this connection and its answer is to be dropped */
  dropNextResponse: boolean;
  /** chunks wait here while the pair is stalled or delayed, in order */
  queueUp: Promise<void>;
  queueDown: Promise<void>;
}

export type FaultKind = 'cut' | 'stall' | 'delay' | 'reset' | 'lostAck';

export class FaultProxy {
  private server: net.Server;
  private pairs = new Set<Pair>();
  private stalledUntil = 0;
  private delayMs = 0;
  private delayUntil = 0;
  /** how many command answers are still to be dropped */
  private dropArmed = 0;
  /** while true, new connections are refused at once (the link is down) */
  down = false;
  /** command POSTs seen */
  commandPosts = 0;
  port = 0;
  readonly counts: Record<FaultKind, number> = { cut: 0, stall: 0, delay: 0, reset: 0, lostAck: 0 };

  constructor(private readonly targetPort: number, private readonly targetHost = '127.0.0.1') {
    this.server = net.createServer((client) => this.accept(client));
  }

  async listen(): Promise<number> {
    await new Promise<void>((res) => this.server.listen(0, '127.0.0.1', res));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private accept(client: net.Socket): void {
    if (this.down) {
      client.destroy();
      return;
    }
    const upstream = net.connect(this.targetPort, this.targetHost);
    const pair: Pair = { client, upstream, dropNextResponse: false, queueUp: Promise.resolve(), queueDown: Promise.resolve() };
    this.pairs.add(pair);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const end = () => {
      if (!this.pairs.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
    client.on('data', (chunk) => {
      if (/^POST \/api\/commands/.test(chunk.subarray(0, 40).toString('latin1'))) this.commandPosts++;
      if (this.dropArmed > 0 && /^POST \/api\/commands(\/batch)? /.test(chunk.subarray(0, 40).toString('latin1'))) {
        this.dropArmed--;
        pair.dropNextResponse = true;
      }
      pair.queueUp = pair.queueUp.then(() => this.wait()).then(() => {
        if (!upstream.destroyed) upstream.write(chunk);
      });
    });
    upstream.on('data', (chunk) => {
      if (pair.dropNextResponse) {
        // the hub has applied the command and answered: the answer never arrives
        this.counts.lostAck++;
        end();
        return;
      }
      pair.queueDown = pair.queueDown.then(() => this.wait()).then(() => {
        if (!client.destroyed) client.write(chunk);
      });
    });
  }

  /** resolves when a chunk may pass (after any stall and the current delay) */
  private async wait(): Promise<void> {
    for (;;) {
      const now = Date.now();
      if (now < this.stalledUntil) {
        await sleep(this.stalledUntil - now);
        continue;
      }
      if (now < this.delayUntil && this.delayMs > 0) await sleep(this.delayMs);
      return;
    }
  }

  /** destroys every connection (a FIN/close to both sides) */
  cut(): void {
    this.counts.cut++;
    for (const p of [...this.pairs]) {
      p.client.destroy();
      p.upstream.destroy();
    }
    this.pairs.clear();
  }

  /** resets every connection (RST) */
  reset(): void {
    this.counts.reset++;
    for (const p of [...this.pairs]) {
      p.client.resetAndDestroy();
      p.upstream.resetAndDestroy();
    }
    this.pairs.clear();
  }

  /** nothing passes in either direction for `ms` */
  stall(ms: number): void {
    this.counts.stall++;
    this.stalledUntil = Math.max(this.stalledUntil, Date.now() + ms);
  }

  /** every chunk waits `perChunkMs` for the next `forMs` */
  delay(perChunkMs: number, forMs: number): void {
    this.counts.delay++;
    this.delayMs = perChunkMs;
    this.delayUntil = Date.now() + forMs;
  }

  /** the answer to the next command POST is dropped after the hub applied it (counted when it happens) */
  loseNextAck(): void {
    this.dropArmed++;
  }

  /** back to a clean link: no stall, no delay, no armed drop, connections accepted */
  heal(): void {
    this.stalledUntil = 0;
    this.delayUntil = 0;
    this.dropArmed = 0;
    this.down = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((res) => this.server.close(() => res()));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
