import type { BackupPhase } from '../core/backup/progress';

/** `1 file`, `3 files`: counts the CLI prints read as English. */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** What a backup or restore is doing, in words: the core's phase names are for code, not people. */
export const PHASE_WORDS: Record<Exclude<BackupPhase, 'done'>, string> = {
  snapshot: 'Copying the database',
  writing: 'Encrypting and writing the archive',
  verifying: 'Checking every chunk of the archive',
  restoring: 'Decrypting and restoring the archive',
};
