/**
 * The standalone hub: `npm run hub -- [--port 4300] [--host 127.0.0.1] [--data DIR] [--demo] [--taxonomy FILE]
 *   [--hotline-token TOKEN] [--hotline-reply-url URL]` (the token also from GCC_HOTLINE_TOKEN).
 */
import { parseArgs } from 'node:util';
import { defaultDataDir } from './paths';
import { startHub } from './hub';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4300' },
    host: { type: 'string', default: '127.0.0.1' },
    data: { type: 'string' },
    demo: { type: 'boolean', default: false },
    taxonomy: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    'hotline-token': { type: 'string' },
    'hotline-reply-url': { type: 'string' },
  },
  strict: true,
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a whole number from 0 to 65535, not ${values.port}`);
  process.exit(2);
}

const dataDir = values.data ?? defaultDataDir('hub');
const hub = await startHub({
  dataDir,
  host: values.host,
  port,
  demo: values.demo,
  log: !values.quiet,
  ...(values.taxonomy ? { taxonomyFile: values.taxonomy } : {}),
  ...((values['hotline-token'] ?? process.env.GCC_HOTLINE_TOKEN) ? { hotlineToken: values['hotline-token'] ?? process.env.GCC_HOTLINE_TOKEN } : {}),
  ...(values['hotline-reply-url'] ? { hotlineReplyUrl: values['hotline-reply-url'] } : {}),
});
// one parseable line for whoever started us (tests, the console host)
console.log(JSON.stringify({ hub: hub.url, dataDir }));

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    void hub.close().then(() => process.exit(0));
  });
}
