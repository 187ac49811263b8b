import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * What a bundler loads up front from an entry: its static imports, walked
 * file by file. Type-only imports are erased and `import()` starts a chunk of
 * its own, so neither is followed. Tests use it to keep heavy modules off a
 * start or unlock path (net/lazyNetworkModules.test.ts,
 * profile/profileImports.test.ts).
 */

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Static value imports and re-exports of one file. */
export function staticImports(code: string): string[] {
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

/**
 * Everything reached from `entry` (a path from the repository root) by static
 * imports: packages by their import specifier, own files by their path from
 * the root, each with the chain of files that reaches it first.
 */
export function staticGraph(entry: string): {
  packages: Map<string, string[]>;
  files: Map<string, string[]>;
} {
  const packages = new Map<string, string[]>();
  const files = new Map<string, string[]>();
  const queue: { file: string; chain: string[] }[] = [{ file: join(repoRoot, entry), chain: [entry] }];
  while (queue.length > 0) {
    const { file, chain } = queue.shift()!;
    const path = relative(repoRoot, file);
    if (files.has(path)) continue;
    files.set(path, chain);
    for (const spec of staticImports(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) {
        const next = resolveLocal(file, spec);
        if (next) queue.push({ file: next, chain: [...chain, relative(repoRoot, next)] });
      } else if (!packages.has(spec)) {
        packages.set(spec, chain);
      }
    }
  }
  return { packages, files };
}
