import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The bundled colour emoji font (src-renderer/src/styles/emojiFont.css) is a
 * woff2-only copy of @fontsource/noto-color-emoji's index.css. This keeps the
 * copy true to the installed package: every file it names exists, and it
 * covers exactly the package's unicode ranges, so an upgrade that renames or
 * re-splits the subsets fails here instead of showing empty boxes.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PKG = join(ROOT, 'node_modules', '@fontsource', 'noto-color-emoji');
const ours = readFileSync(join(ROOT, 'src-renderer', 'src', 'styles', 'emojiFont.css'), 'utf8');
const theirs = readFileSync(join(PKG, 'index.css'), 'utf8');

/** Each @font-face's unicode-range, whitespace removed (Prettier wraps the long ones). */
const ranges = (css: string) =>
  [...css.matchAll(/unicode-range:\s*([^;]+);/g)].map((m) => (m[1] ?? '').replace(/\s+/g, ''));

describe('the bundled emoji font', () => {
  it('names only woff2 files that the package ships', () => {
    const urls = [...ours.matchAll(/url\('([^']+)'\)/g)].map((m) => m[1] ?? '');
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) {
      expect(url).toMatch(/^@fontsource\/noto-color-emoji\/files\/[\w-]+\.woff2$/);
      expect(existsSync(join(ROOT, 'node_modules', url))).toBe(true);
    }
  });

  it("covers exactly the package's unicode ranges", () => {
    expect(ranges(ours)).toEqual(ranges(theirs));
  });

  it('is an OFL font, and the app falls back to it after the system emoji fonts', () => {
    expect(JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8')).license).toBe('OFL-1.1');
    const tokens = readFileSync(join(ROOT, 'src-renderer', 'src', 'styles', 'tokens.css'), 'utf8');
    const stack = /--font-sans:([^;]+);/.exec(tokens)?.[1] ?? '';
    expect(stack.trim().endsWith("'Parley Emoji'")).toBe(true);
    expect(ours).toContain("font-family: 'Parley Emoji';");
  });
});
