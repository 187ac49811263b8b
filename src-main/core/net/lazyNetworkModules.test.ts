import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * libp2p, its transports, the circuit relay and WebRTC/UPnP take ~0.5 s to
 * load on 2 cores, so they load when a node is built (parleyNode.ts imports
 * libp2pHost.ts with `import()`), and WebRTC and UPnP only on a node that uses
 * them (nodeReach.ts). A static import on a shell's start path would put them
 * back before its unlock screen (bench/ui.bench.ts, start → home). This walks
 * the static imports from each shell's entry, as the bundler does: type-only
 * imports are erased, `import()` starts a chunk of its own.
 */

const root = fileURLToPath(new URL('../../..', import.meta.url));
const ENTRIES = ['src-main/cli/main.ts', 'src-main/app/main.ts'];
const HEAVY =
  /^(libp2p|@libp2p\/(tcp|identify|ping|mdns|circuit-relay-v2|webrtc|upnp-nat)|@chainsafe\/libp2p-(noise|yamux))(\/|$)/;

/** Static value imports and re-exports of one file. */
function staticImports(code: string): string[] {
  const found: string[] = [];
  const pattern = /^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
  for (const match of code.matchAll(pattern)) {
    // `import { type A, type B } from` is erased too.
    const names = /^\s*(?:import|export)\s*\{([^}]*)\}\s*from/.exec(match[0])?.[1];
    const all =
      names
        ?.split(',')
        .map((n) => n.trim())
        .filter(Boolean) ?? [];
    if (all.length > 0 && all.every((n) => n.startsWith('type '))) continue;
    if (match[1]) found.push(match[1]);
  }
  return found;
}

function resolveLocal(from: string, spec: string): string | null {
  const base = join(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && /\.tsx?$/.test(candidate)) return candidate;
  }
  return null;
}

/** Every package reached from `entry` by static imports, with the chain of files that reaches it. */
function staticPackages(entry: string): Map<string, string[]> {
  const packages = new Map<string, string[]>();
  const seen = new Set<string>();
  const queue: { file: string; chain: string[] }[] = [{ file: join(root, entry), chain: [entry] }];
  while (queue.length > 0) {
    const { file, chain } = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of staticImports(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) {
        const next = resolveLocal(file, spec);
        if (next) queue.push({ file: next, chain: [...chain, relative(root, next)] });
      } else if (!packages.has(spec)) {
        packages.set(spec, chain);
      }
    }
  }
  return packages;
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
