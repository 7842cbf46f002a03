import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { iceServersFor, parseIceServers } from './ice';

describe('ICE servers for a call', () => {
  it('hands STUN as configured, keeps configured TURN credentials, mints expiring ones for TURN without a username', () => {
    const now = Date.UTC(2026, 0, 1);
    const servers = iceServersFor(
      {
        servers: [{ urls: 'stun:stun.example.org:3478' }, { urls: 'turn:static.example.org', username: 'u', credential: 'p' }, { urls: ['turn:t.example.org?transport=udp', 'turns:t.example.org:5349'] }],
        turnSecret: 's3cret',
        turnTtlS: 3600,
      },
      'leader-1',
      now,
    );
    expect(servers[0]).toEqual({ urls: 'stun:stun.example.org:3478' });
    expect(servers[1]).toEqual({ urls: 'turn:static.example.org', username: 'u', credential: 'p' });
    const minted = servers[2]!;
    expect(minted.username).toBe(`${now / 1000 + 3600}:leader-1`);
    // what coturn's use-auth-secret checks: base64(HMAC-SHA1(secret, username))
    expect(minted.credential).toBe(createHmac('sha1', 's3cret').update(minted.username!).digest('base64'));
  });

  it('without a secret, TURN entries pass as configured; without servers, none (host candidates only)', () => {
    expect(iceServersFor({ servers: [{ urls: 'turn:t.example.org' }] }, 'p', 0)).toEqual([{ urls: 'turn:t.example.org' }]);
    expect(iceServersFor({ servers: [] }, 'p', 0)).toEqual([]);
  });

  it('reads the setting as JSON and names what is wrong', () => {
    expect(parseIceServers('[{"urls":"stun:a.example.org"}]')).toEqual([{ urls: 'stun:a.example.org' }]);
    expect(() => parseIceServers('stun:a.example.org', 'GCC_ICE_SERVERS')).toThrow(/GCC_ICE_SERVERS is not JSON/);
    expect(() => parseIceServers('[{"urls":"http://a.example.org"}]', '--ice-servers')).toThrow(/--ice-servers is invalid at 0\.urls/);
    expect(() => parseIceServers('{"urls":"stun:a"}')).toThrow(/invalid at top level/);
  });
});
