/**
 * The standalone hub: `npm run hub -- [--port 4300] [--host 127.0.0.1] [--data DIR] [--demo [--sim] [--speedup N]]
 *   [--taxonomy FILE] [--hotline-token TOKEN] [--hotline-reply-url URL]` (the token also from GCC_HOTLINE_TOKEN)
 *   [--ice-servers JSON] [--turn-secret SECRET] [--ring-timeout SECONDS] [--callback-review on|off]`: video
 *   call-backs; the ICE servers (an RTCIceServer array) also from GCC_ICE_SERVERS, the secret from GCC_TURN_SECRET.
 * Prints one JSON line on stdout once it listens ({ hub, dataDir, field?, sim? }): whoever started it reads that.
 */
import { parseArgs } from 'node:util';
import { defaultDataDir } from './paths';
import { startHub } from './hub';
import { parseIceServers } from './call/ice';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4300' },
    host: { type: 'string', default: '127.0.0.1' },
    data: { type: 'string' },
    demo: { type: 'boolean', default: false },
    taxonomy: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    sim: { type: 'boolean', default: false },
    speedup: { type: 'string', default: '1' },
    'hotline-token': { type: 'string' },
    'hotline-reply-url': { type: 'string' },
    'ice-servers': { type: 'string' },
    'turn-secret': { type: 'string' },
    'ring-timeout': { type: 'string' },
    'callback-review': { type: 'string' },
  },
  strict: true,
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a whole number from 0 to 65535, not ${values.port}`);
  process.exit(2);
}

const speedup = Number(values.speedup);
if (!(speedup > 0 && speedup <= 100_000)) {
  console.error(`--speedup must be a number above 0 and at most 100000, not ${values.speedup}`);
  process.exit(2);
}
if (values.sim && !values.demo) {
  console.error('--sim drives the demo district: add --demo');
  process.exit(2);
}
if (speedup !== 1 && !values.sim) {
  console.error('--speedup sets the simulator\'s pace: add --sim');
  process.exit(2);
}

// video call-backs: STUN/TURN for this deployment (none: host candidates, one LAN), ring time, review rule
const iceJson = values['ice-servers'] ?? process.env.GCC_ICE_SERVERS;
let iceServers: ReturnType<typeof parseIceServers> | undefined;
try {
  iceServers = iceJson ? parseIceServers(iceJson, values['ice-servers'] ? '--ice-servers' : 'GCC_ICE_SERVERS') : undefined;
} catch (e) {
  console.error((e as Error).message);
  process.exit(2);
}
const turnSecret = values['turn-secret'] ?? process.env.GCC_TURN_SECRET;
const ringTimeoutS = values['ring-timeout'] === undefined ? undefined : Number(values['ring-timeout']);
if (ringTimeoutS !== undefined && !(ringTimeoutS >= 5 && ringTimeoutS <= 300)) {
  console.error(`--ring-timeout is the seconds a leader's phone rings: 5 to 300, not ${values['ring-timeout']}`);
  process.exit(2);
}
const review = values['callback-review'];
if (review !== undefined && review !== 'on' && review !== 'off') {
  console.error(`--callback-review is on (a confirmed call-back counts as the review) or off, not ${review}`);
  process.exit(2);
}

const dataDir = values.data ?? defaultDataDir('hub');
const sim = values.sim ? await import('./demo/sim/index') : undefined;
const clock = sim ? new sim.RealtimeClock(speedup) : undefined;
const hub = await startHub({
  dataDir,
  host: values.host,
  port,
  demo: values.demo,
  log: !values.quiet,
  ...(values.taxonomy ? { taxonomyFile: values.taxonomy } : {}),
  ...((values['hotline-token'] ?? process.env.GCC_HOTLINE_TOKEN) ? { hotlineToken: values['hotline-token'] ?? process.env.GCC_HOTLINE_TOKEN } : {}),
  ...(values['hotline-reply-url'] ? { hotlineReplyUrl: values['hotline-reply-url'] } : {}),
  ...(iceServers ? { iceServers } : {}),
  ...(turnSecret ? { turnSecret } : {}),
  ...(ringTimeoutS !== undefined ? { callRingTimeoutMs: Math.round(ringTimeoutS * 1000) } : {}),
  ...(review ? { callbackConfirmsReview: review === 'on' } : {}),
  // a sped-up simulation runs the hub on its time: deadlines and the sweep follow it
  // (sessions last 12 real hours still, or a person at a console would be signed out every few minutes)
  ...(clock && speedup !== 1
    ? { now: clock.now, deadlineSweepMs: Math.max(250, Math.round(15_000 / speedup)), sessionTtlMs: Math.round(12 * 3_600_000 * speedup) }
    : {}),
});
let simulator: import('./demo/sim/index').Simulator | undefined;
if (sim && clock) {
  try {
    simulator = await sim.startSimulator({ hubUrl: hub.url, clock });
  } catch (e) {
    console.error(`the simulator could not start: ${(e as Error).message}`);
    await hub.close();
    process.exit(1);
  }
}
// one parseable line for whoever started us (tests, the console host)
console.log(JSON.stringify({ hub: hub.url, dataDir, ...(values.demo ? { field: `${hub.url}/field/?token=dev_demo_leader-0-0-0` } : {}), ...(simulator ? { sim: { speedup } } : {}) }));

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    void (async () => {
      if (simulator) {
        await simulator.stop();
        if (!values.quiet) console.error(sim!.formatStats(simulator.stats()));
      }
      await hub.close();
      process.exit(0);
    })();
  });
}
