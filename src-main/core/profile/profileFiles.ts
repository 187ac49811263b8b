import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { storageError } from '../errors';

/** Removes a database file with its log, shared-memory and journal files. */
export function removeDatabaseFiles(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
}

/**
 * Deletes a profile's files from its folder (issue 18, §13.8 step 4: "Delete
 * this profile" on a removed device), leaving the folder for onboarding.
 * The header (`headerPath`, profile.json) goes first: from then on the
 * folder holds no profile, so an interruption leaves leftovers that
 * onboarding's creation clears, never a half-profile. `keep` names entries
 * that are not the profile's (the process lock file). A plain deletion, not a
 * secure erase: the file system may keep the bytes.
 */
export function deleteProfileFiles(dir: string, headerPath: string, keep: readonly string[]): void {
  try {
    rmSync(headerPath, { force: true });
    for (const name of readdirSync(dir)) {
      if (keep.includes(name)) continue;
      rmSync(join(dir, name), { recursive: true, force: true });
    }
  } catch (err) {
    throw storageError(err, 'delete the profile');
  }
}
