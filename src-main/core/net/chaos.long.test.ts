import type { Libp2p } from '@libp2p/interface';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeLength } from './frameStream';
import { PROTOCOL_IDS } from './limits';
import { isNetError } from './netError';
import { ContactRequest } from './proto/contactRequest.generated';
import {
  befriend,
  envelopeId,
  hex,
  makePeer,
  makeRawNode,
  rawConnect,
  rawExchange,
  waitFor,
  type TestPeer,
} from './testing/netHarness';

/**
 * Chaos, long: `npx vitest run -c vitest.long.config.ts src-main/core/net`.
 *  1. 10,000 forced disconnect/reconnect cycles with envelopes in flight:
 *     nothing lost, nothing committed twice.
 *  2. A hostile peer floods malformed frames, oversized bodies and contact
 *     requests: the node keeps serving a friend promptly and memory stays bounded.
 * Every loop is bounded in count and in time.
 */

const CYCLES = 10_000;
const MAX_ATTEMPTS = 50;

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

function heapMiB(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / (1024 * 1024);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The delivery layer's contract in miniature: retry the same id until the receiver acks. */
async function deliverWithRetry(
  from: TestPeer,
  to: TestPeer,
  id: Uint8Array,
  payload: Uint8Array,
): Promise<string> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    try {
      return await from.node.services.deliver.send(to.id, id, payload);
    } catch (err) {
      if (!isNetError(err)) throw err;
      await sleep(Math.min(2 ** attempt, 50));
    }
  }
  throw new Error(`envelope ${hex(id)} not delivered after ${MAX_ATTEMPTS} attempts`);
}

const peers: TestPeer[] = [];
const raws: Libp2p[] = [];

afterAll(async () => {
  await Promise.all(peers.map((p) => p.node.stop()));
  await Promise.all(raws.map((r) => r.stop()));
});

describe('chaos', () => {
  it(
    `survives ${CYCLES} forced disconnect/reconnect cycles with sends in between: zero lost, zero duplicated`,
    async () => {
      const fast = { dialGraceMs: 5, reconnect: { baseMs: 2, maxMs: 100, factor: 2 } };
      const [a, b] = await Promise.all([makePeer(fast), makePeer(fast)]);
      peers.push(a, b);
      await Promise.all([a.node.start(), b.node.start()]);
      await befriend(a, b);
      await a.node.keepConnected(b.id);
      await b.node.keepConnected(a.id);
      await waitFor(() => a.node.isConnected(b.id), 5000, 'first connection');

      const sent: string[] = [];
      const acks = { accepted: 0, duplicate: 0, rejected: 0 };
      const started = Date.now();
      const deadline = started + 8 * 60_000;
      const heapBefore = heapMiB();
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        if (Date.now() > deadline) throw new Error(`chaos loop over time at cycle ${cycle}`);
        // Two envelopes race the disconnect; who drops the line alternates.
        const ids = [envelopeId(), envelopeId()];
        for (const id of ids) sent.push(hex(id));
        const inFlight = ids.map((id) => deliverWithRetry(a, b, id, Uint8Array.of(cycle % 256)));
        const dropper = cycle % 2 === 0 ? a : b;
        const other = dropper === a ? b : a;
        if (cycle % 3 === 0) await sleep(0);
        await dropper.node.hangUp(other.id);
        if (cycle % 4 === 0) {
          // Let the reconnection machinery (not a send) bring the link back.
          await waitFor(() => a.node.isConnected(b.id), 5000, `reconnect at cycle ${cycle}`);
        }
        for (const status of await Promise.all(inFlight)) acks[status as keyof typeof acks] += 1;
      }
      const elapsed = (Date.now() - started) / 1000;
      const heapAfter = heapMiB();
      console.info(
        `chaos reconnect: ${CYCLES} cycles, ${sent.length} envelopes in ${elapsed.toFixed(1)} s; ` +
          `acks ${JSON.stringify(acks)}; heap ${heapBefore.toFixed(1)} → ${heapAfter.toFixed(1)} MiB`,
      );

      // Zero lost: every envelope committed at b. Zero duplicated: each exactly once.
      const committed = b.received.map((e) => hex(e.envelopeId));
      expect(new Set(committed).size).toBe(committed.length);
      expect(committed.length).toBe(sent.length);
      expect(new Set(committed)).toEqual(new Set(sent));
      expect(acks.accepted + acks.duplicate).toBe(sent.length);
      expect(acks.rejected).toBe(0);
      expect(heapAfter - heapBefore).toBeLessThan(64);
    },
    10 * 60_000,
  );

  it(
    'stays responsive with bounded memory under a flood of malformed frames and contact requests',
    async () => {
      const [victim, friend] = await Promise.all([makePeer(), makePeer()]);
      peers.push(victim, friend);
      await Promise.all([victim.node.start(), friend.node.start()]);
      await befriend(victim, friend);
      const known = await makeRawNode();
      const strangers = await Promise.all(Array.from({ length: 8 }, () => makeRawNode()));
      raws.push(known, ...strangers);
      await Promise.all([known, ...strangers].map((r) => r.start()));
      victim.known.add(known.peerId.toString());
      await Promise.all([known, ...strangers].map((r) => rawConnect(r, victim.node)));

      const heapBefore = heapMiB();
      let stop = false;
      const latencies: number[] = [];
      let friendFailures = 0;
      // The friend keeps talking throughout, one envelope every 20 ms.
      const friendly = (async () => {
        for (let i = 0; i < 100_000 && !stop; i++) {
          const t = performance.now();
          try {
            await friend.node.services.deliver.send(victim.id, envelopeId(), new Uint8Array(1024));
            latencies.push(performance.now() - t);
          } catch {
            friendFailures += 1;
          }
          await sleep(20);
        }
      })();

      const garbage: Uint8Array[] = [
        Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
        encodeLength(64 * 1024 * 1024),
        Uint8Array.of(3, 0x0a, 0xff, 0xff),
        Uint8Array.of(2, 0x08, 0x02),
      ];
      // A frame just under the limit whose body is junk: costs the victim a full buffer.
      const bigJunk = new Uint8Array(encodeLength(200 * 1024).length + 200 * 1024).fill(0xff);
      bigJunk.set(encodeLength(200 * 1024));
      const MALFORMED = 6_000;
      const BIG = 400;
      const CONTACTS = 3_000;
      const floodDeadline = Date.now() + 5 * 60_000;

      const pool = async (count: number, concurrency: number, job: (i: number) => Promise<unknown>) => {
        let next = 0;
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (next < count) {
              if (Date.now() > floodDeadline) throw new Error('flood over time');
              const i = next++;
              await job(i);
            }
          }),
        );
      };
      const contactFrame = ContactRequest.encode({
        version: 1,
        displayName: 'x'.repeat(200),
        identityKey: new Uint8Array(32),
        message: 'y'.repeat(1000),
      });
      const contactBytes = new Uint8Array(encodeLength(contactFrame.length).length + contactFrame.length);
      contactBytes.set(encodeLength(contactFrame.length));
      contactBytes.set(contactFrame, encodeLength(contactFrame.length).length);

      const started = Date.now();
      await Promise.all([
        pool(MALFORMED, 16, (i) =>
          rawExchange(
            known,
            victim.node,
            PROTOCOL_IDS.deliver,
            garbage[i % garbage.length] ?? new Uint8Array(1),
          ),
        ),
        pool(BIG, 4, () => rawExchange(known, victim.node, PROTOCOL_IDS.deliver, bigJunk)),
        pool(CONTACTS, 16, (i) => {
          const stranger = strangers[i % strangers.length];
          if (stranger === undefined) throw new Error('no stranger');
          return rawExchange(stranger, victim.node, PROTOCOL_IDS.contactRequest, contactBytes);
        }),
      ]);
      const floodSeconds = (Date.now() - started) / 1000;
      stop = true;
      await friendly;

      const m = victim.node.metrics();
      const heapAfter = heapMiB();
      latencies.sort((x, y) => x - y);
      const p50 = latencies[Math.floor(latencies.length * 0.5)] ?? NaN;
      const p99 = latencies[Math.floor(latencies.length * 0.99)] ?? NaN;
      console.info(
        `chaos flood: ${MALFORMED + BIG} malformed + ${CONTACTS} contact requests in ${floodSeconds.toFixed(1)} s; ` +
          `malformed counted ${m.malformedFrames.deliver}, stream-limited ${m.streamLimit.deliver}, ` +
          `contact requests served ${m.served.contactRequest}, rate-limited ${m.rateLimited.contactRequest}; ` +
          `friend ${latencies.length} ok / ${friendFailures} failed, p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms; ` +
          `heap ${heapBefore.toFixed(1)} → ${heapAfter.toFixed(1)} MiB`,
      );

      // Every hostile stream was refused or counted; none was served.
      expect(m.served.deliver).toBe(latencies.length);
      expect(m.malformedFrames.deliver + m.streamLimit.deliver).toBeGreaterThanOrEqual(
        (MALFORMED + BIG) * 0.95,
      );
      expect(m.served.contactRequest).toBeLessThanOrEqual(20);
      expect(m.rateLimited.contactRequest + m.served.contactRequest).toBeGreaterThanOrEqual(CONTACTS * 0.95);
      expect(victim.contactRequests.length).toBe(m.served.contactRequest);
      // The friend was served throughout, promptly.
      expect(friendFailures).toBe(0);
      expect(latencies.length).toBeGreaterThan(10);
      expect(p99).toBeLessThan(1000);
      // Memory: the flood left nothing behind.
      expect(heapAfter - heapBefore).toBeLessThan(64);
      // And the victim still answers.
      expect(await friend.node.services.deliver.send(victim.id, envelopeId(), new Uint8Array(10))).toBe(
        'accepted',
      );
    },
    10 * 60_000,
  );
});
