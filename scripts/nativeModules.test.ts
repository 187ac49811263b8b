import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Parley ships no Electron build of its native modules: argon2 and
 * better-sqlite3-multiple-ciphers carry prebuilt binaries for every platform
 * inside their npm packages, and they are Node-API addons. A Node-API addon
 * links only against the `napi_*` C functions, whose ABI is stable across
 * Node versions and across runtimes that embed Node, Electron included
 * (Node-API docs, "ABI stability"; Electron docs, "Native Node Modules"), so
 * the very same file loads in Node 24 and in Electron 45.
 *
 * An addon written against V8 directly would not: it imports C++ symbols of
 * V8 (Itanium mangling `_ZN2v8…`, MSVC `…@v8@@…`) and registers through
 * `node_module_register`, and then needs a build per runtime ABI. This test
 * fails if an upgrade ever brings such a binary in, before a packaged app
 * would fail to open its database.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NATIVE_PACKAGES = ['argon2', 'better-sqlite3-multiple-ciphers'];

function binariesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return binariesUnder(path);
    return entry.endsWith('.node') ? [path] : [];
  });
}

describe.each(NATIVE_PACKAGES)('%s', (pkg) => {
  const prebuilds = join(ROOT, 'node_modules', pkg, 'prebuilds');
  const binaries = binariesUnder(prebuilds);

  it('ships prebuilt binaries for Linux, macOS and Windows inside the package', () => {
    const names = binaries.map((b) => b.slice(prebuilds.length + 1));
    for (const platform of ['linux-x64', 'darwin-arm64', 'win32-x64']) {
      expect(names.some((n) => n.startsWith(platform))).toBe(true);
    }
  });

  it.each(binaries.map((b) => [b.slice(prebuilds.length + 1), b]))(
    '%s is a Node-API addon (no V8 or node_module_register symbols)',
    (_name, path) => {
      const text = readFileSync(path).toString('latin1');
      expect(text).toContain('napi_register_module_v1');
      expect(text).not.toContain('_ZN2v8');
      expect(text).not.toContain('@v8@@');
      expect(text).not.toContain('node_module_register');
    },
  );
});
