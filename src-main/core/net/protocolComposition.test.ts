import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { deliverProtocol, type InboundEnvelope } from './deliverProtocol';
import { generateDeviceKey } from './deviceKey';
import { keyPackageProtocol } from './keyPackageProtocol';
import { PROTOCOL_NAMES } from './limits';
import { isNetError } from './netError';
import { ParleyNode, type ProtocolFactories } from './parleyNode';
import { envelopeId } from './testing/netHarness';

/**
 * Protocols are services composed like js-libp2p's: the node speaks exactly
 * the map it was given, exposes each service under its name, and a handler
 * registered with handle() before start is what serves.
 */

const nodes: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const n of nodes.splice(0)) await n.stop();
});

async function node<F extends ProtocolFactories>(
  services: F,
): Promise<ParleyNode<{ [K in keyof F]: ReturnType<F[K]> }>> {
  const n = await ParleyNode.create(
    {
      deviceKey: await generateDeviceKey(),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      access: { isBlocked: () => false, isKnown: () => true },
      inboundConnectionsPerSecond: 10_000,
    },
    services,
  );
  nodes.push(n);
  return n;
}

describe('protocol services', () => {
  it('a node speaks only the protocols in its map, each under its name', async () => {
    const got: InboundEnvelope[] = [];
    const a = await node({
      deliver: deliverProtocol({
        onEnvelope: async (e) => {
          got.push(e);
          return 'accepted';
        },
      }),
    });
    const b = await node({ deliver: deliverProtocol(), keyPackages: keyPackageProtocol() });
    expect(Object.keys(a.services)).toEqual(['deliver']);
    await a.start();
    await b.start();
    await b.addAddresses(a.peerId, a.addresses());
    expect(await b.services.deliver.send(a.peerId, envelopeId(), new Uint8Array([1, 2, 3]))).toBe('accepted');
    expect(got.map((e) => [...e.payload])).toEqual([[1, 2, 3]]);
    // a was composed without keypackage: the protocol is not spoken at all.
    const err = await b.services.keyPackages.fetch(a.peerId).catch((e: unknown) => e);
    expect(isNetError(err) && err.code).toBe('refused');
    // b's deliver had no handler: it only sends.
    const back = await a.services.deliver
      .send(b.peerId, envelopeId(), new Uint8Array(1))
      .catch((e: unknown) => e);
    expect(isNetError(back) && back.code).toBe('refused');
  });

  it('a handler registered before start serves; registering after start is refused', async () => {
    const a = await node({ deliver: deliverProtocol() });
    const b = await node({ deliver: deliverProtocol() });
    a.services.deliver.handle(async () => 'duplicate');
    await a.start();
    await b.start();
    expect(() => a.services.deliver.handle(async () => 'accepted')).toThrow(/before the node starts/);
    await b.addAddresses(a.peerId, a.addresses());
    expect(await b.services.deliver.send(a.peerId, envelopeId(), new Uint8Array(1))).toBe('duplicate');
  });
});

/**
 * Issue 16 item 2: adding a protocol touches its own folder (its file, its
 * .proto and generated codec, its id and limits in limits.ts) and one line of
 * composition (parleyProtocols.ts). These read the sources, so a change that
 * wires a protocol into the node or the runtime some other way fails here.
 */
describe('adding a protocol', () => {
  const NET = fileURLToPath(new URL('.', import.meta.url));
  const CORE = join(NET, '..');
  const source = (path: string): string => readFileSync(path, 'utf8');
  /** The code without its comments, which may name protocols to explain them. */
  const code = (path: string): string =>
    source(path)
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/(^|[^:])\/\/.*$/gm, '$1');
  const protocolFiles = readdirSync(NET).filter((f) => /^[a-z]\w*Protocol\.ts$/.test(f));
  const factories = protocolFiles.map((f) => f.replace(/\.ts$/, ''));

  it('each protocol file exports its factory, composed by exactly one line of parleyProtocols.ts', () => {
    expect(protocolFiles.length).toBe(PROTOCOL_NAMES.length);
    const composition = code(join(NET, 'parleyProtocols.ts'));
    for (const factory of factories) {
      expect(source(join(NET, `${factory}.ts`))).toMatch(new RegExp(`export function ${factory}\\(`));
      const lines = composition.split('\n').filter((l) => new RegExp(`\\b${factory}\\(`).test(l));
      expect(lines, factory).toHaveLength(1);
    }
  });

  it('the node and its edge name no protocol', () => {
    const nodeFiles = [
      'parleyNode.ts',
      'libp2pHost.ts',
      'nodeOptions.ts',
      'protocolComponents.ts',
      'protocolService.ts',
    ];
    for (const file of nodeFiles) {
      const text = code(join(NET, file));
      expect(text, file).not.toMatch(/from '\.\/(\w+Protocol|parleyProtocols|proto\/[^']*)'/);
      expect(text, file).not.toMatch(/'\/parley\//);
    }
  });

  it('no core code outside parleyProtocols.ts calls a protocol factory', () => {
    const calls = new RegExp(`\\b(${factories.join('|')})\\(`);
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (entry.name !== 'testing') walk(path);
        } else if (/\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name)) {
          const own = factories.some((f) => entry.name === `${f}.ts`) || entry.name === 'parleyProtocols.ts';
          if (!own && calls.test(code(path))) offenders.push(path.slice(CORE.length));
        }
      }
    };
    walk(CORE);
    expect(offenders).toEqual([]);
  });
});
