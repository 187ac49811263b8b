import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJsonLogger } from '../core/util/logger';
import { ELECTRON_BINDING_PATH, findNativeBinding } from './nativeBinding';

let root: string;
let lines: string[];
const logger = () => createJsonLogger((line) => lines.push(line));

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'parley-native-'));
  lines = [];
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('findNativeBinding', () => {
  it('returns the Electron build when postinstall made one', () => {
    const path = join(root, ELECTRON_BINDING_PATH);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, 'binary');
    expect(findNativeBinding(root, logger())).toBe(path);
    expect(lines).toEqual([]);
  });

  it('returns undefined and logs exactly one warning line otherwise', () => {
    expect(findNativeBinding(root, logger())).toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      level: 'warn',
      event: 'native.electron_binding_missing',
    });
  });
});
