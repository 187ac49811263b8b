import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Settings → Appearance → Text size scales the root font size (tokens.css), so
 * it reaches only text sized in rem or em. A font size in px would stay small
 * when someone asked for larger text (issue 17 item 7).
 */
const STYLES = join(dirname(fileURLToPath(import.meta.url)), '../src-renderer/src/styles');

describe('renderer styles', () => {
  it('src-renderer sizes every font in rem or em, so the text-size setting reaches all text', () => {
    const fixed: string[] = [];
    const files = readdirSync(STYLES).filter((f) => f.endsWith('.css'));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      readFileSync(join(STYLES, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/font(?:-size)?\s*:[^;]*\d(?:\.\d+)?px/.test(line))
            fixed.push(`${file}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(fixed).toEqual([]);
  });
});
