import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeLinkCode, linkCodeBytes, linkIdOf } from './linkCode';
import { LinkError } from './linkFailure';
import { ExistingDeviceHandshake } from './linkHandshake';
import { randomNonce } from './linkKeySchedule';
import { deferred } from './linkWait';
import type { TestPeer } from '../net/testing/netHarness';
import { waitFor } from '../net/testing/netHarness';
import {
  dropFirstGrant,
  existingDevice,
  HEAD,
  link,
  newDevice,
  outcome,
  type ExistingSide,
} from './testing/linkRig';

/**
 * The E and N state machines of docs/protocol.md §13.5 over real nodes on
 * 127.0.0.1: the happy path and every row of the failures table, each with
 * what both sides are left with (nothing stored unless granted).
 */
const peers: TestPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.node.stop()));
});

async function pair(options: Parameters<typeof existingDevice>[0] = {}) {
  const e = await existingDevice(options);
  const n = await newDevice();
  peers.push(e.peer, n);
  return { e, n };
}

const states = (e: ExistingSide) => e.events.map((x) => x.state);

describe('linking a new device over the network', () => {
  it('links: both show the same SAS, E grants after both confirm, N stores it, history keys agree', async () => {
    const { e, n } = await pair();
    // A grant larger than one frame goes in several sealed parts.
    e.grantWith.body = new Uint8Array(randomBytes(2_500_000));
    const { text } = e.host.showCode();
    const eSas = deferred<number>();
    e.host.on((ev) => {
      if (ev.state === 'sas') {
        eSas.resolve(ev.sas);
        e.host.confirm(true);
      }
    });
    let nSas = -1;
    const run = link(n, text, true, {
      confirmSas: async (sas) => {
        nSas = sas;
        return true;
      },
    });
    const linked = await run.result;
    expect(await eSas.promise).toBe(nSas);
    expect(run.accepted).toHaveLength(1);
    // Byte comparison: a deep equal over 2.5 M elements takes vitest tens of seconds.
    expect(Buffer.from(run.accepted[0]!).equals(Buffer.from(e.grantWith.body))).toBe(true);
    expect(e.grants).toHaveLength(1);
    expect(Buffer.from(e.grants[0]!.join).toString()).toBe('join body');
    expect(e.grants[0]!.peer).toBe(n.id);
    expect(e.grants[0]!.head).toEqual(HEAD);
    await waitFor(() => e.linked.length === 1, 5_000, 'E sees done');
    expect(e.linked[0]!.kHistory).toEqual(linked.kHistory);
    expect(e.linked[0]!.transferId).toEqual(linked.transferId);
    expect(e.linked[0]!.headHash).toEqual(new Uint8Array(32).fill(1));
    expect(linked.peer).toBe(e.peer.id);
    expect(states(e)).toEqual(['code', 'sas', 'confirmed', 'granted', 'done']);
    expect(run.events.map((x) => x.state)).toContain('granted');

    // One completed pairing ends the code.
    const again = await newDevice();
    peers.push(again);
    expect(await outcome(link(again, text))).toBe('code-not-live');
    expect(e.grants).toHaveLength(1);
  });

  it('refuses an expired code on N before dialling, and on E once it expired there', async () => {
    const { e, n } = await pair();
    const { text } = e.host.showCode();
    const stale = link(n, text, true, { clock: () => Date.now() + 11 * 60_000 });
    expect(await outcome(stale)).toBe('code-not-live');
    e.clockOffset.ms = 11 * 60_000;
    expect(await outcome(link(n, text))).toBe('code-not-live');
    expect(e.grants).toHaveLength(0);
    expect(e.host.handler.accepting()).toBe(false);
  });

  it('refuses an unknown link_id (a code E no longer shows)', async () => {
    const { e, n } = await pair();
    const old = e.host.showCode().text;
    e.host.showCode();
    expect(await outcome(link(n, old))).toBe('code-not-live');
    expect(e.grants).toHaveLength(0);
  });

  it('says E is not reachable when nothing answers, and stores nothing', async () => {
    const { e, n } = await pair();
    const { text } = e.host.showCode();
    await e.peer.node.stop();
    expect(await outcome(link(n, text))).toBe('unreachable');
  });

  it('aborts when the PeerId behind the address is not the code’s ("this code does not lead to your device")', async () => {
    const { e, n } = await pair();
    const other = await newDevice();
    peers.push(other);
    e.host.showCode();
    // A code naming E's PeerId but pointing at another node's address (a swapped address).
    const forged = encodeLinkCode({
      secret: new Uint8Array(randomBytes(32)),
      expiresAt: Date.now() + 60_000,
      identityKey: new Uint8Array(32).fill(9),
      peerId: e.peer.id,
      addresses: other.node.addresses().map((a) => a.replace(other.id, e.peer.id)),
    });
    await e.peer.node.stop();
    expect(await outcome(link(n, forged))).toBe('wrong-device');
  });

  it('N refuses a challenge with a wrong mac_e and never reveals nonce_n', async () => {
    let revealed = false;
    const e = await existingDevice({
      wrap: () => ({
        accepting: () => true,
        // A device that holds the PeerId but not the code's secret.
        serve: async (peer, channel) => {
          const hello = await channel.receive();
          if (hello?.kind !== 'hello') return;
          const wrong = new Uint8Array(randomBytes(32));
          const bytes = linkCodeBytes({
            secret: wrong,
            expiresAt: Date.now() + 60_000,
            identityKey: new Uint8Array(32).fill(9),
            peerId: e.peer.id,
            addresses: [],
          });
          const hs = new ExistingDeviceHandshake(wrong, bytes, peer, e.peer.id, hello, HEAD);
          await channel.send({ kind: 'challenge', ...hs.challenge, mac: hs.challenge.macE });
          const next = await channel.receive().catch(() => null);
          if (next?.kind === 'reveal') revealed = true;
        },
      }),
    });
    const n = await newDevice();
    peers.push(e.peer, n);
    const { text } = e.host.showCode();
    expect(await outcome(link(n, text))).toBe('wrong-device');
    expect(revealed).toBe(false);
  });

  it('E resets on a wrong mac_n or commitment, counts it, and three burn the code', async () => {
    const { e, n } = await pair({ limits: { attemptsPerCode: 16 } });
    const { text } = e.host.showCode();
    const decodedId = linkIdOf(
      new Uint8Array(Buffer.from(text.slice('parley://link/'.length), 'base64url')).subarray(1, 33),
    );
    const hostile = async (): Promise<string> => {
      try {
        await n.node.services.link.open(
          e.peer.id,
          async (channel) => {
            const kem = (await import('./linkKeySchedule')).LINK_HPKE.kem.generateKeyPair();
            await channel.send({
              kind: 'hello',
              linkId: decodedId,
              kemPublicKey: kem.pk,
              commitment: new Uint8Array(32),
            });
            const challenge = await channel.receive();
            if (challenge?.kind !== 'challenge') return 'no challenge';
            await channel.send({ kind: 'reveal', nonceN: randomNonce(), mac: new Uint8Array(32) });
            return String((await channel.receive())?.kind);
          },
          { deadlineMs: 5_000 },
        );
        return 'answered';
      } catch {
        return 'reset';
      }
    };
    await n.node.addAddresses(e.peer.id, e.peer.node.addresses());
    expect(await hostile()).toBe('reset');
    expect(await hostile()).toBe('reset');
    expect(e.host.handler.accepting()).toBe(true);
    expect(await hostile()).toBe('reset');
    expect(states(e)).toContain('failed');
    expect(e.events.at(-1)).toEqual({ state: 'failed', reason: 'too-many-attempts' });
    // The real N with the real code now finds it burned.
    expect(await outcome(link(n, text))).toBe('code-not-live');
    expect(e.grants).toHaveLength(0);
  });

  it('"The codes differ" on E burns the code and N is told', async () => {
    const { e, n } = await pair();
    const { text } = e.host.showCode();
    e.host.on((ev) => ev.state === 'sas' && e.host.confirm(false));
    const run = link(n, text, new Promise<boolean>(() => undefined));
    expect(await outcome(run)).toBe('declined');
    expect(e.events.at(-1)).toEqual({ state: 'failed', reason: 'declined' });
    expect(e.grants).toHaveLength(0);
    expect(e.host.handler.accepting()).toBe(false);
  });

  it('"The codes differ" on N burns the code on E, which is told', async () => {
    const { e, n } = await pair();
    const { text } = e.host.showCode();
    const run = link(n, text, false);
    expect(await outcome(run)).toBe('declined');
    await waitFor(() => e.events.some((x) => x.state === 'failed'), 5_000, 'E told');
    expect(e.events.at(-1)).toEqual({ state: 'failed', reason: 'declined' });
    expect(run.accepted).toHaveLength(0);
    expect(e.grants).toHaveLength(0);
  });

  it('a stream lost before the grant is stored grants nothing and burns the code', async () => {
    const { e, n } = await pair();
    const { text } = e.host.showCode();
    const sasShown = deferred<void>();
    const run = link(n, text, new Promise<boolean>(() => undefined), {
      onEvent: (ev) => ev.state === 'sas' && sasShown.resolve(),
    });
    await sasShown.promise;
    await n.node.stop();
    expect(await outcome(run)).not.toBe('linked');
    await waitFor(() => e.events.some((x) => x.state === 'failed'), 5_000, 'E sees the loss');
    expect(e.events.at(-1)).toEqual({ state: 'failed', reason: 'interrupted' });
    expect(e.grants).toHaveLength(0);
    expect(e.host.handler.accepting()).toBe(false);
  });

  it('a stream lost after E stored the grant: N resumes and gets the same grant', async () => {
    const { e, n } = await pair({ wrap: dropFirstGrant });
    const { text } = e.host.showCode();
    e.host.on((ev) => ev.state === 'sas' && e.host.confirm(true));
    const run = link(n, text);
    const linked = await run.result;
    expect(run.accepted).toEqual([e.grantWith.body]);
    expect(e.grants).toHaveLength(1);
    await waitFor(() => e.linked.length === 1, 5_000, 'E sees done');
    expect(e.linked[0]!.transferId).toEqual(linked.transferId);
  });

  it('refuses at 5 devices: no code, and a list that reached 5 meanwhile is refused', async () => {
    const { e, n } = await pair();
    e.devices.count = 5;
    expect(() => e.host.showCode()).toThrow(LinkError);
    e.devices.count = 4;
    const { text } = e.host.showCode();
    e.devices.count = 5;
    expect(await outcome(link(n, text))).toBe('device-limit');
    expect(e.grants).toHaveLength(0);
  });

  it('refuses when the list changed after the challenge (the grant says so)', async () => {
    const { e, n } = await pair();
    e.grantWith.refuse = new LinkError('list-changed');
    const { text } = e.host.showCode();
    e.host.on((ev) => ev.state === 'sas' && e.host.confirm(true));
    expect(await outcome(link(n, text))).toBe('list-changed');
    expect(e.events.at(-1)).toEqual({ state: 'failed', reason: 'list-changed' });
  });

  it('resets every stream while no code is shown, before reading', async () => {
    const { e, n } = await pair();
    const { text } = e.host.showCode();
    e.host.closeCode();
    expect(await outcome(link(n, text))).toBe('code-not-live');
    expect(e.peer.node.metrics().unknownPeerStreams.link).toBeGreaterThan(0);
  });

  it('limits attempts per code (16 by default; 2 here) and per peer (4 streams)', async () => {
    const { e } = await pair({ limits: { attemptsPerCode: 2 } });
    const { text } = e.host.showCode();
    const tries: string[] = [];
    for (let i = 0; i < 3; i++) {
      const n = await newDevice();
      peers.push(n);
      tries.push(await outcome(link(n, text, false)));
    }
    expect(tries).toEqual(['declined', 'code-not-live', 'code-not-live']);

    const busy = await newDevice();
    peers.push(busy);
    e.host.showCode();
    const reasons: string[] = [];
    for (let i = 0; i < 5; i++) reasons.push(await outcome(link(busy, e.host.showCode().text, false)));
    expect(reasons.slice(0, 4)).toEqual(['declined', 'declined', 'declined', 'declined']);
    expect(reasons[4]).toBe('code-not-live');
    expect(e.peer.node.metrics().rateLimited.link).toBe(1);
  });
});
