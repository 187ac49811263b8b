import { multiaddr } from '@multiformats/multiaddr';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameError, encodeLength } from './frameStream';
import { PROTOCOL_IDS } from './limits';
import {
  decodeLinkRequest,
  decodeLinkResponse,
  encodeLinkRequest,
  encodeLinkResponse,
  type LinkClientMessage,
  type LinkServerMessage,
} from './linkProtocol';
import { LinkRequest, LinkResponse } from './proto/link.generated';
import { makePeer, makeRawNode, waitFor, type TestPeer } from './testing/netHarness';

/**
 * /parley/link/1.0.0 at the wire (docs/protocol.md §13.5): every frame kind
 * round-trips, one violating vector per field rule is refused as malformed,
 * and a live node resets a hostile stream and carries on.
 */
const b = (n: number, fill = 1) => new Uint8Array(n).fill(fill);

const requests: LinkClientMessage[] = [
  { kind: 'hello', linkId: b(16), kemPublicKey: b(1216), commitment: b(32) },
  { kind: 'reveal', nonceN: b(32), mac: b(32) },
  { kind: 'join', sealed: b(100) },
  { kind: 'done', sealed: b(48) },
  { kind: 'resume', linkId: b(16), mac: b(32) },
  { kind: 'cancel' },
  { kind: 'waiting' },
];

const responses: LinkServerMessage[] = [
  { kind: 'challenge', kemCiphertext: b(1120), nonceE: b(32), head: { seq: 3, hash: b(32) }, mac: b(32) },
  { kind: 'challenge', kemCiphertext: b(1120), nonceE: b(32), head: { seq: 0, hash: b(32) }, mac: b(32) },
  { kind: 'grant', sealed: b(100), last: true },
  { kind: 'grant', sealed: b(100), last: false },
  { kind: 'refused', refusal: 'device-limit' },
  { kind: 'waiting' },
  { kind: 'confirmed' },
];

function malformed(run: () => unknown): string | undefined {
  try {
    run();
  } catch (err) {
    if (err instanceof FrameError) return err.kind;
    throw err;
  }
  return undefined;
}

describe('link frames', () => {
  it('round-trip every kind', () => {
    for (const m of requests) expect(decodeLinkRequest(encodeLinkRequest(m))).toEqual(m);
    for (const m of responses) expect(decodeLinkResponse(encodeLinkResponse(m))).toEqual(m);
  });

  it('refuse one violating vector per rule (N → E)', () => {
    const r = (fields: Partial<LinkRequest>) => LinkRequest.encode({ version: 1, ...fields });
    const K = LinkRequest.Kind;
    const vectors: [string, Uint8Array, string][] = [
      ['version 2', LinkRequest.encode({ version: 2, kind: K.CANCEL }), 'bad-version'],
      ['no kind', r({}), 'invalid'],
      ['not protobuf', Uint8Array.of(0xff, 0xff, 0xff), 'undecodable'],
      [
        'hello with a 15-byte link id',
        r({ kind: K.HELLO, linkId: b(15), kemPublicKey: b(1216), commitment: b(32) }),
        'invalid',
      ],
      [
        'hello with a short KEM key',
        r({ kind: K.HELLO, linkId: b(16), kemPublicKey: b(1215), commitment: b(32) }),
        'invalid',
      ],
      ['hello without a commitment', r({ kind: K.HELLO, linkId: b(16), kemPublicKey: b(1216) }), 'invalid'],
      [
        'hello with an extra field',
        r({ kind: K.HELLO, linkId: b(16), kemPublicKey: b(1216), commitment: b(32), mac: b(32) }),
        'invalid',
      ],
      ['reveal with a short nonce', r({ kind: K.REVEAL, nonceN: b(31), mac: b(32) }), 'invalid'],
      ['reveal with a long MAC', r({ kind: K.REVEAL, nonceN: b(32), mac: b(33) }), 'invalid'],
      ['join without sealed', r({ kind: K.JOIN }), 'invalid'],
      ['join sealed shorter than a tag', r({ kind: K.JOIN, sealed: b(16) }), 'invalid'],
      ['done with a link id', r({ kind: K.DONE, sealed: b(48), linkId: b(16) }), 'invalid'],
      ['resume without MAC', r({ kind: K.RESUME, linkId: b(16) }), 'invalid'],
      ['cancel with a field', r({ kind: K.CANCEL, mac: b(32) }), 'invalid'],
      ['waiting with a field', r({ kind: K.WAITING, sealed: b(48) }), 'invalid'],
    ];
    for (const [what, frame, kind] of vectors)
      expect(
        malformed(() => decodeLinkRequest(frame)),
        what,
      ).toBe(kind);
  });

  it('refuse one violating vector per rule (E → N)', () => {
    const r = (fields: Partial<LinkResponse>) => LinkResponse.encode({ version: 1, ...fields });
    const K = LinkResponse.Kind;
    const challenge = { kemCiphertext: b(1120), nonceE: b(32), headSeq: 1, headHash: b(32), mac: b(32) };
    const vectors: [string, Uint8Array, string][] = [
      ['version 0', LinkResponse.encode({ version: 0, kind: K.WAITING }), 'bad-version'],
      ['no kind', r({}), 'invalid'],
      ['challenge without head seq', r({ kind: K.CHALLENGE, ...challenge, headSeq: undefined }), 'invalid'],
      [
        'challenge with a short ciphertext',
        r({ kind: K.CHALLENGE, ...challenge, kemCiphertext: b(1119) }),
        'invalid',
      ],
      [
        'challenge with a short head hash',
        r({ kind: K.CHALLENGE, ...challenge, headHash: b(31) }),
        'invalid',
      ],
      ['challenge with last', r({ kind: K.CHALLENGE, ...challenge, last: true }), 'invalid'],
      [
        'challenge with a refusal',
        r({ kind: K.CHALLENGE, ...challenge, refusal: LinkResponse.Refusal.FAILED }),
        'invalid',
      ],
      ['grant without sealed', r({ kind: K.GRANT, last: true }), 'invalid'],
      ['grant with a MAC', r({ kind: K.GRANT, sealed: b(100), mac: b(32) }), 'invalid'],
      ['refused without a reason', r({ kind: K.REFUSED }), 'invalid'],
      [
        'refused with sealed',
        r({ kind: K.REFUSED, refusal: LinkResponse.Refusal.DECLINED, sealed: b(48) }),
        'invalid',
      ],
      ['waiting with last', r({ kind: K.WAITING, last: true }), 'invalid'],
      ['confirmed with a field', r({ kind: K.CONFIRMED, nonceE: b(32) }), 'invalid'],
    ];
    for (const [what, frame, kind] of vectors)
      expect(
        malformed(() => decodeLinkResponse(frame)),
        what,
      ).toBe(kind);
  });
});

describe('a node serving links', () => {
  const peers: TestPeer[] = [];
  const raws: Awaited<ReturnType<typeof makeRawNode>>[] = [];
  afterEach(async () => {
    await Promise.all([...peers.splice(0).map((p) => p.node.stop()), ...raws.splice(0).map((r) => r.stop())]);
  });

  it('resets a stream with a malformed or oversized frame, counts it, and keeps serving', async () => {
    const served: string[] = [];
    const e = await makePeer({ strangers: { maxPerHost: 16, maxConnections: 16 } });
    peers.push(e);
    e.node.services.link.handle({
      accepting: () => true,
      serve: async (peer, channel) => {
        const first = await channel.receive();
        served.push(first?.kind ?? 'end');
        await channel.send({ kind: 'refused', refusal: 'code-not-live' });
        await channel.close();
      },
    });
    await e.node.start();
    const raw = await makeRawNode();
    raws.push(raw);
    await raw.start();
    const address = multiaddr(e.node.addresses()[0]!);
    const send = async (bytes: Uint8Array) => {
      const stream = await raw.dialProtocol(address, PROTOCOL_IDS.link);
      stream.send(bytes);
      await stream.close().catch(() => undefined);
    };
    await send(new Uint8Array([...encodeLength(3), 0xff, 0xff, 0xff]));
    // An oversized length prefix is refused from the prefix alone.
    await send(encodeLength(2 * 1024 * 1024));
    await waitFor(() => e.node.metrics().malformedFrames.link >= 2, 5_000, 'malformed counted');
    expect(served).toEqual([]);
    // A well-formed frame still gets its answer.
    const hello = encodeLinkRequest({ kind: 'waiting' });
    await send(new Uint8Array([...encodeLength(hello.length), ...hello]));
    await waitFor(() => served.length === 1, 5_000, 'served');
    expect(served).toEqual(['waiting']);
  });
});
