import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ParleyError } from '../errors';

export const LOCK_FILE = 'parley.pid';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One process per profile: the Electron app, `parley web` and `parley node`
 * would otherwise write one SQLite database from two processes with two
 * different views of MLS state, which forks groups. A lock file holding the
 * owner's pid; a lock left by a dead process is taken over.
 */
/** Locks this process holds: the pid in the file cannot tell two cores of one process apart. */
const heldHere = new Set<string>();

export class ProfileLock {
  private constructor(private readonly path: string) {}

  static acquire(profileDir: string): ProfileLock {
    const path = join(profileDir, LOCK_FILE);
    if (heldHere.has(path)) {
      throw new ParleyError('PROFILE_IN_USE', 'This profile is already open in this Parley process.');
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(path, 'wx', 0o600);
        writeSync(fd, String(process.pid));
        closeSync(fd);
        heldHere.add(path);
        return new ProfileLock(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const owner = Number.parseInt(readFileSafe(path), 10);
        if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
          throw new ParleyError(
            'PROFILE_IN_USE',
            `This profile is already open in another Parley process (pid ${owner}).`,
          );
        }
        rmSync(path, { force: true });
      }
    }
    throw new ParleyError('PROFILE_IN_USE', 'This profile is being opened by another Parley process.');
  }

  release(): void {
    heldHere.delete(this.path);
    if (readFileSafe(this.path) === String(process.pid)) rmSync(this.path, { force: true });
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}
