import { createServer, connect, type Server, type Socket } from 'node:net';

/** A TCP relay to the hub that can be cut (open links dropped, new ones held) and restored. */
export interface Relay {
  url: string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startRelay(target: URL): Promise<Relay> {
  const open = new Set<Socket>();
  const held: Socket[] = [];
  let cutOff = false;
  const pipe = (client: Socket) => {
    const upstream = connect(Number(target.port), target.hostname);
    open.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  };
  const server: Server = createServer((client) => {
    client.on('error', () => client.destroy());
    if (cutOff) held.push(client);
    else pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    cut() {
      cutOff = true;
      for (const s of open) s.destroy();
      open.clear();
    },
    restore() {
      cutOff = false;
      for (const c of held.splice(0)) if (!c.destroyed) pipe(c);
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of [...open, ...held]) s.destroy();
        server.close(() => r());
      }),
  };
}
