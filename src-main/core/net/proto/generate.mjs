#!/usr/bin/env node
/**
 * Regenerates the TypeScript codecs next to each .proto here:
 *   node src-main/core/net/proto/generate.mjs
 *
 * It runs `protons` (the pinned dev dependency) and then, only if the installed
 * protons-runtime is a major version whose Codec type takes separate decode and
 * encode types (8.x), rewrites the two generic spellings that protons 9 still
 * emits for runtime 7: `Codec<T>` → `Codec<T, Partial<T>>` and
 * `message<T>(` → `message<T, Partial<T>>(`. The runtime JavaScript of 7.1.2
 * and 8.0.1 is identical; only the type declarations differ. With
 * protons-runtime pinned to 7.x (what protons 9.0.2 itself depends on) the
 * output is protons' own, unmodified. Finally prettier formats the output, so
 * `prettier --check .` passes and regenerating gives no spurious diff.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..', '..');
// The package's exports map hides package.json from require.resolve; read it from disk.
const runtimePackage = join(root, 'node_modules', 'protons-runtime', 'package.json');
const runtimeMajor = Number(JSON.parse(readFileSync(runtimePackage, 'utf8')).version.split('.')[0]);
const protons = join(root, 'node_modules', '.bin', 'protons');
const prettier = join(root, 'node_modules', '.bin', 'prettier');
const outputs = [];

for (const file of readdirSync(here)
  .filter((f) => f.endsWith('.proto'))
  .sort()) {
  execFileSync(protons, [join(here, file)], { stdio: 'inherit' });
  const out = join(here, file.replace(/\.proto$/, '.ts'));
  outputs.push(out);
  if (runtimeMajor < 8) continue;
  const source = readFileSync(out, 'utf8')
    .replace(/\bCodec<([A-Za-z_][\w.]*)>/g, 'Codec<$1, Partial<$1>>')
    .replace(/\bmessage<([A-Za-z_][\w.]*)>\(/g, 'message<$1, Partial<$1>>(');
  writeFileSync(out, source);
}

execFileSync(prettier, ['--write', ...outputs], { stdio: 'inherit', cwd: root });
