import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ErrorPayload, RequestName, RequestParams, RequestResult } from '../../../src-shared/contract';
import { createCore, type Core } from '../core';

/**
 * Settings → Network and how each contact is reached, through the contract
 * (issue 19 item 4), with real cores on 127.0.0.1: Cy says she is reachable
 * (`--public`) and relays for her contact Ann; Ann, who has no public
 * address, reserves on Cy and lists her by name; the switches persist.
 */

const FAST_KDF = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

interface TestCore {
  core: Core;
  events: string[];
  call<N extends RequestName>(name: N, params: RequestParams<N>): Promise<RequestResult<N>>;
  fail(name: RequestName, params: unknown): Promise<ErrorPayload>;
}

/** Polls an async check every 50 ms, bounded. */
async function until(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function makeCore(
  name: string,
  options: { port?: number; publicAddress?: string } = {},
): Promise<TestCore> {
  const dir = mkdtempSync(join(tmpdir(), `parley-reach-${name}-`));
  const core = createCore({
    profileDir: dir,
    shell: 'cli',
    version: 't',
    kdfCost: FAST_KDF,
    network: {
      listen: [`/ip4/127.0.0.1/tcp/${options.port ?? 0}`],
      mdns: false,
      ...(options.publicAddress ? { publicAddresses: [options.publicAddress] } : {}),
      tuning: {
        node: { dialTimeoutMs: 1_000, dialGraceMs: 100, reconnect: { baseMs: 100, maxMs: 500 } },
        delivery: { backoff: { baseMs: 100, maxMs: 1_000, factor: 2 }, sendTimeoutMs: 5_000 },
        keyPackagePoolSize: 3,
      },
    },
  });
  cleanup.push(async () => {
    await core.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const events: string[] = [];
  core.onEvent((n) => events.push(n));
  const call = async <N extends RequestName>(n: N, params: RequestParams<N>): Promise<RequestResult<N>> => {
    const reply = await core.dispatch(n, params);
    if (!reply.ok) throw new Error(`${n}: ${reply.error.code} ${reply.error.message}`);
    return reply.value as RequestResult<N>;
  };
  const fail = async (n: RequestName, params: unknown): Promise<ErrorPayload> => {
    const reply = await core.dispatch(n, params as never);
    if (reply.ok) throw new Error(`${n} succeeded`);
    return reply.error;
  };
  await call('profile.create', { displayName: name, passphrase: 'correct horse battery' });
  await core.idle();
  return { core, events, call, fail };
}

describe('Settings → Network (issue 19 item 4)', () => {
  it('a public device relays for its contact, who lists it by name as the relay she uses', async () => {
    const port = await freePort();
    const publicAddress = `/ip4/127.0.0.1/tcp/${port}`;
    const cy = await makeCore('Cy', { port, publicAddress });
    const ann = await makeCore('Ann');

    expect(await cy.call('network.reach', {})).toEqual({
      running: true,
      publicAddresses: [publicAddress],
      relays: [],
      relayForContacts: true,
      relayLimits: { durationMinutes: 60, dataMiB: 1024, reservations: 64, connections: 128 },
      relayedConnections: 0,
      upnp: false,
      relayLimitSettings: { durationMinutes: 60, dataMiB: 1024, reservations: 64 },
      publicAddressSettings: [],
      appliesAtNextStart: false,
    });
    expect(await ann.call('network.reach', {})).toMatchObject({
      running: true,
      publicAddresses: [],
      relays: [],
    });

    // Ann becomes Cy's contact; she reserves on Cy and shows her by name.
    await ann.call('contacts.acceptInvite', { invite: (await cy.call('contacts.createInvite', {})).link });
    let relays: RequestResult<'network.reach'>['relays'] = [];
    await until(
      async () => {
        relays = (await ann.call('network.reach', {})).relays;
        return relays.some((r) => r.state === 'reserved');
      },
      20_000,
      'a reservation on Cy',
    );
    expect(relays).toEqual([{ name: 'Cy', state: 'reserved' }]);
    expect(ann.events).toContain('network.changed');

    // Connected over 127.0.0.1: the contact is on this network (LAN).
    let presence: RequestResult<'presence.list'> = [];
    await until(
      async () => {
        presence = await ann.call('presence.list', {});
        return presence[0]?.online === true;
      },
      20_000,
      'Cy online at Ann',
    );
    expect(presence[0]?.connection).toEqual({ state: 'direct', path: { kind: 'lan' } });
  }, 60_000);

  it('the switches persist, tell every window, and refuse anything but booleans', async () => {
    const ann = await makeCore('Ann');
    ann.events.length = 0;
    expect(await ann.call('network.setReach', { upnp: true })).toMatchObject({
      upnp: true,
      relayForContacts: true,
    });
    expect(await ann.call('network.setReach', { relayForContacts: false })).toMatchObject({
      upnp: true,
      relayForContacts: false,
    });
    expect(await ann.call('network.reach', {})).toMatchObject({ upnp: true, relayForContacts: false });
    expect(ann.events.filter((e) => e === 'network.changed').length).toBeGreaterThanOrEqual(2);
    expect((await ann.fail('network.setReach', { upnp: 'yes' })).code).toBe('INVALID_PARAMS');
    expect((await ann.fail('network.setReach', { publicAddresses: 'x' })).code).toBe('INVALID_PARAMS');
    // Read back after a restart of the core's messaging: stored in the profile.
    await ann.call('profile.lock', {});
    await ann.call('profile.unlock', { passphrase: 'correct horse battery' });
    await ann.core.idle();
    expect(await ann.call('network.reach', {})).toMatchObject({ upnp: true, relayForContacts: false });
  }, 60_000);

  it('relay limits and public addresses: checked, stored, applied when networking next starts', async () => {
    const ann = await makeCore('Ann');
    const limits = { durationMinutes: 30, dataMiB: 2048, reservations: 8 };
    // Stored at once; the running relay keeps its limits until networking starts again, and says so.
    expect(await ann.call('network.setReach', { relayLimits: limits })).toMatchObject({
      relayLimitSettings: limits,
      relayLimits: { durationMinutes: 60, dataMiB: 1024, reservations: 64 },
      appliesAtNextStart: true,
    });
    // Out of bounds: refused by the contract, nothing stored.
    for (const bad of [
      { ...limits, durationMinutes: 0 },
      { ...limits, dataMiB: 64 * 1024 + 1 },
      { ...limits, reservations: 1.5 },
    ])
      expect((await ann.fail('network.setReach', { relayLimits: bad })).code).toBe('INVALID_PARAMS');

    // A public address as typed: host:port becomes the multiaddr announced.
    expect(
      await ann.call('network.setReach', {
        publicAddresses: [' 81.2.69.160:4001', '/ip4/81.2.69.160/tcp/4001'],
      }),
    ).toMatchObject({ publicAddressSettings: ['/ip4/81.2.69.160/tcp/4001'], appliesAtNextStart: true });
    // Anything else: a clear reason, and the stored list is unchanged.
    const wrong = await ann.fail('network.setReach', {
      publicAddresses: ['81.2.69.161:4001', '192.168.1.20:4001'],
    });
    expect(wrong).toMatchObject({ code: 'INVALID_PARAMS' });
    expect(wrong.message).toMatch(/192\.168\.1\.20 is a private or reserved address/);
    expect((await ann.fail('network.setReach', { publicAddresses: ['example.org:1'] })).message).toMatch(
      /Names are not supported/,
    );
    expect((await ann.call('network.reach', {})).publicAddressSettings).toEqual([
      '/ip4/81.2.69.160/tcp/4001',
    ]);

    // Back to none and the old limits: nothing waits for a start any more.
    expect(
      await ann.call('network.setReach', {
        publicAddresses: [],
        relayLimits: { durationMinutes: 60, dataMiB: 1024, reservations: 64 },
      }),
    ).toMatchObject({ appliesAtNextStart: false });
    await ann.call('network.setReach', { relayLimits: limits, publicAddresses: ['81.2.69.160:4001'] });

    // Networking starts again (lock, unlock): the relay applies the stored limits, the address is announced.
    await ann.call('profile.lock', {});
    await ann.call('profile.unlock', { passphrase: 'correct horse battery' });
    await ann.core.idle();
    expect(await ann.call('network.reach', {})).toMatchObject({
      publicAddresses: ['/ip4/81.2.69.160/tcp/4001'],
      relayLimits: { durationMinutes: 30, dataMiB: 2048, reservations: 8 },
      relayLimitSettings: limits,
      appliesAtNextStart: false,
    });
  }, 60_000);
});
