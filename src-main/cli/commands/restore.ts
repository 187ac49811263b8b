import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { restoreBackup } from '../../core/backup/restoreBackup';
import { ProfileLock } from '../../core/profile/profileLock';
import type { CommandSpec } from '../commandSpec';
import { EXIT_OK, UsageError } from '../cliError';
import { defaultProfileDir } from '../defaultProfileDir';
import { profileOption } from '../profileOption';
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
    'device of the same person (new device key), and its groups are read-only until it has rejoined',
    'them (see docs/backup-format.md §6). Progress goes to stderr.',
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
    const password = await readBackupPassword(io, { confirm: false });
    // Hold the profile lock so no app opens the folder while it is being replaced.
    const lock = existsSync(target) ? ProfileLock.acquire(target) : null;
    try {
      const result = await restoreBackup({
        file: resolve(values.in),
        password,
        targetDir: target,
        replace: values.replace === true,
        lockHeldByCaller: lock !== null,
        onProgress: progressPrinter(io, 'parley restore'),
        allowCostlyKdf: values['allow-costly-kdf'] === true,
      }).catch(withCostlyKdfHint);
      io.stdout(
        `Restored into ${result.profileDir}: ${result.files} files, ${formatBytes(result.contentBytes)} ` +
          `(backup of ${result.createdAt}). Unlock it with the passphrase it had then.\n`,
      );
      if (result.replacedTo) io.stdout(`The profile that was there is kept in ${result.replacedTo}.\n`);
      if (result.groupsToResync > 0) {
        io.stdout(
          `${result.groupsToResync} conversations are read-only until this device has rejoined them ` +
            '(it needs a member of each group online).\n',
        );
      }
      return EXIT_OK;
    } finally {
      lock?.release();
    }
  },
};
