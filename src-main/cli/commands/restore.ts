import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isBackupError } from '../../core/backup/backupError';
import { restoreBackup } from '../../core/backup/restoreBackup';
import { PROFILE_HEADER_FILE } from '../../core/store/profileHeader';
import { ProfileLock } from '../../core/profile/profileLock';
import type { CommandSpec } from '../commandSpec';
import { CliFailure, EXIT_OK, UsageError } from '../cliError';
import { defaultProfileDir } from '../defaultProfileDir';
import { profileOption } from '../profileOption';
import { count } from '../words';
import {
  BACKUP_PASSWORD_ENV,
  formatBytes,
  progressPrinter,
  readBackupPassword,
  withCostlyKdfHint,
} from './backup';

export const restoreCommand: CommandSpec = {
  name: 'restore',
  summary: 'Restore a profile from an encrypted backup',
  details: [
    'Decrypts and checks the whole archive into a temporary folder beside the profile folder, then',
    'moves it into place. A wrong password, a damaged, cut-short or newer archive is reported before',
    'anything is written. An existing profile is never replaced unless you pass --replace; the',
    'replaced files are then kept in DIR/before-restore-<time>/.',
    `The backup password comes from ${BACKUP_PASSWORD_ENV} or is asked for in the terminal.`,
    'The restored profile unlocks with the passphrase it had when it was backed up. It becomes a new',
    'device of the same person (new device key) that replaces the backed-up device in the device list',
    'at its first start (that device is removed; to keep it, link this computer from it instead with',
    '`parley device link`), and its groups are read-only until it has rejoined them (see',
    'docs/backup-format.md §6). Progress goes to stderr.',
  ].join('\n'),
  options: [
    {
      ...profileOption,
      description: 'profile folder to restore into (default: the per-user app data folder)',
    },
    { name: 'in', type: 'string', value: 'FILE', description: 'the archive to restore', required: true },
    {
      name: 'replace',
      type: 'boolean',
      description: 'replace an existing profile (kept aside, not deleted)',
    },
    {
      name: 'allow-costly-kdf',
      type: 'boolean',
      description: 'restore an archive whose password check costs more than Parley’s own (asks otherwise)',
    },
  ],
  async run(values, io) {
    if (typeof values.in !== 'string' || values.in === '') throw new UsageError('--in FILE is required.');
    const target = resolve(typeof values.profile === 'string' ? values.profile : defaultProfileDir(io.env));
    const replace = values.replace === true;
    // Said before the password is asked for: the terminal's way to confirm is the flag (issue #17 item 22).
    if (!replace && existsSync(join(target, PROFILE_HEADER_FILE))) throw new CliFailure(replaceHint(target));
    const password = await readBackupPassword(io, { confirm: false });
    // Hold the profile lock so no app opens the folder while it is being replaced.
    const lock = existsSync(target) ? ProfileLock.acquire(target) : null;
    try {
      const result = await restoreBackup({
        file: resolve(values.in),
        password,
        targetDir: target,
        replace,
        lockHeldByCaller: lock !== null,
        onProgress: progressPrinter(io, 'parley restore'),
        allowCostlyKdf: values['allow-costly-kdf'] === true,
      })
        .catch((err: unknown) => {
          // A profile that appeared while the archive was read.
          if (isBackupError(err, 'target_exists')) throw new CliFailure(replaceHint(target));
          throw err;
        })
        .catch(withCostlyKdfHint);
      io.stdout(
        `Restored into ${result.profileDir}: ${count(result.files, 'file')}, ${formatBytes(result.contentBytes)} ` +
          `(backup of ${result.createdAt}). Unlock it with the passphrase it had then.\n`,
      );
      if (result.replacedTo) io.stdout(`The profile that was there is kept in ${result.replacedTo}.\n`);
      if (result.groupsToResync > 0) {
        const one = result.groupsToResync === 1;
        io.stdout(
          `${count(result.groupsToResync, 'conversation')} ${one ? 'is' : 'are'} read-only until this device ` +
            `has rejoined ${one ? 'it' : 'them'} (it needs a member of ${one ? 'the group' : 'each group'} online).\n`,
        );
      }
      return EXIT_OK;
    } finally {
      lock?.release();
    }
  },
};

function replaceHint(target: string): string {
  return (
    `A profile already exists in ${target}. To replace it, run the command again with --replace ` +
    `(the profile there is kept in ${join(target, 'before-restore-<time>')}/).`
  );
}
