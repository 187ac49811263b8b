import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { workerEntry } from './runWorker';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'parley-worker-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function touch(path: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '');
}

describe('workerEntry', () => {
  it('finds the built worker beside the bundle', () => {
    touch(join(root, 'out', 'main', 'integrityCheck.worker.js'));
    expect(workerEntry('integrityCheck', join(root, 'out', 'main', 'index.js'))).toEqual({
      script: join(root, 'out', 'main', 'integrityCheck.worker.js'),
      eval: false,
    });
  });

  it('in a packaged app, takes the unpacked copy: a worker thread cannot read app.asar', () => {
    const asar = join(root, 'resources', 'app.asar', 'out', 'main');
    const unpacked = join(root, 'resources', 'app.asar.unpacked', 'out', 'main');
    touch(join(asar, 'backupSnapshot.worker.js'));
    touch(join(unpacked, 'backupSnapshot.worker.js'));
    expect(workerEntry('backupSnapshot', join(asar, 'index.js')).script).toBe(
      join(unpacked, 'backupSnapshot.worker.js'),
    );
  });
});
