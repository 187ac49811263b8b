import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot as root, staticGraph, staticImports } from '../../testing/staticImports';

/**
 * libp2p, its transports, the circuit relay and WebRTC/UPnP take ~0.5 s to
 * load on 2 cores, so they load when a node is built (parleyNode.ts imports
 * libp2pHost.ts with `import()`), and WebRTC and UPnP only on a node that uses
 * them (nodeReach.ts). A static import on a shell's start path would put them
 * back before its unlock screen (bench/ui.bench.ts, start → home). This walks
 * the static imports from each shell's entry, as the bundler does
 * (testing/staticImports.ts).
 */

const ENTRIES = ['src-main/cli/main.ts', 'src-main/app/main.ts'];
const HEAVY =
  /^(libp2p|@libp2p\/(tcp|identify|ping|mdns|circuit-relay-v2|webrtc|upnp-nat)|@chainsafe\/libp2p-(noise|yamux))(\/|$)/;

/** Every package reached from `entry` by static imports, with the chain of files that reaches it. */
function staticPackages(entry: string): Map<string, string[]> {
  return staticGraph(entry).packages;
}

describe('network modules load when a node is built, not when a shell starts', () => {
  it('the walk sees what a shell loads', () => {
    const cli = staticPackages('src-main/cli/main.ts');
    expect([...cli.keys()]).toContain('zod');
    expect([...cli.keys()]).toContain('better-sqlite3-multiple-ciphers');
    expect(
      staticImports("import type { A } from 'x';\nimport { type B } from 'y';\nimport { C } from 'z';"),
    ).toEqual(['z']);
  });

  for (const entry of ENTRIES) {
    it(`${entry} reaches no libp2p host, transport, relay, WebRTC or UPnP module statically`, () => {
      const heavy = [...staticPackages(entry)].filter(([spec]) => HEAVY.test(spec));
      expect(heavy.map(([spec, chain]) => `${spec} ← ${chain.join(' ← ')}`)).toEqual([]);
    });
  }

  it('the node still builds them: libp2pHost.ts imports libp2p, and nodeReach.ts the relay', () => {
    const host = staticImports(readFileSync(join(root, 'src-main/core/net/libp2pHost.ts'), 'utf8'));
    expect(host).toContain('libp2p');
    const reach = staticImports(readFileSync(join(root, 'src-main/core/net/nodeReach.ts'), 'utf8'));
    expect(reach).toContain('@libp2p/circuit-relay-v2');
  });
});
