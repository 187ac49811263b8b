import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { BackupCreated } from '../../../src-shared/contract/areas/backup';
import { BackupError, isBackupError } from '../../core/backup/backupError';
import { verifyBackup } from '../../core/backup/restoreBackup';
import { createCore } from '../../core/core';
import { ParleyError } from '../../core/errors';
import type { CommandSpec } from '../commandSpec';
import { CliFailure, EXIT_OK, UsageError } from '../cliError';
import { runningNode } from '../control/runningNode';
import { cliCoreOptions } from '../coreOptions';
import { defaultProfileDir } from '../defaultProfileDir';
import type { CliIo } from '../io';
import { PASSPHRASE_ENV } from '../passphraseInput';
import { unlockHere } from '../unlockHere';
import { count, PHASE_WORDS } from '../words';
import { profileOption } from '../profileOption';
import type { BackupProgress } from '../../core/backup/progress';
import { passphraseProblem } from '../../../src-shared/contract';
import { formatBytes } from '../../../src-shared/contract/format';

export const BACKUP_PASSWORD_ENV = 'PARLEY_BACKUP_PASSWORD';

/** A backup through a running node may take minutes for a large profile. */
const NODE_BACKUP_TIMEOUT_MS = 60 * 60_000;

export const backupCommand: CommandSpec = {
  name: 'backup',
  summary: 'Write an encrypted backup of a profile, or check one (backup verify)',
  details: [
    'parley backup --profile DIR --out FILE   writes one encrypted archive (docs/backup-format.md):',
    '  the database, keys, MLS group states and attachments. FILE must not exist yet.',
    'parley backup verify --in FILE           checks the password and every chunk, restores nothing.',
    `The backup password comes from ${BACKUP_PASSWORD_ENV} or is asked for (twice) in the terminal;`,
    'it is separate from the unlock passphrase and never stored. Keep it: without it the archive',
    'cannot be opened. When `parley node` runs on the profile, the backup is made by the node;',
    `otherwise the profile is unlocked here (passphrase from ${PASSPHRASE_ENV} or the terminal).`,
    'Progress goes to stderr.',
  ].join('\n'),
  options: [
    profileOption,
    { name: 'out', type: 'string', value: 'FILE', description: 'the archive to write (must not exist)' },
    { name: 'in', type: 'string', value: 'FILE', description: 'the archive to check (with "verify")' },
    {
      name: 'allow-costly-kdf',
      type: 'boolean',
      description: 'check an archive whose password check costs more than Parley’s own (asks otherwise)',
    },
  ],
  positionals: { name: 'verify', description: 'check an archive instead of writing one' },
  async run(values, io, positionals) {
    const words = positionals.filter((w) => w !== '');
    if (words.length > 1 || (words.length === 1 && words[0] !== 'verify')) {
      throw new UsageError(`Unknown subcommand "${words.join(' ')}". Did you mean "parley backup verify"?`);
    }
    if (words[0] === 'verify') return verify(values, io);
    if (typeof values.in === 'string')
      throw new UsageError('--in is for "parley backup verify"; write with --out FILE.');
    if (typeof values.out !== 'string' || values.out === '') throw new UsageError('--out FILE is required.');
    return create(values, io, resolve(values.out));
  },
};

async function verify(values: Record<string, string | boolean | undefined>, io: CliIo): Promise<number> {
  if (typeof values.out === 'string')
    throw new UsageError('"backup verify" reads --in FILE; it writes nothing.');
  if (typeof values.in !== 'string' || values.in === '') throw new UsageError('--in FILE is required.');
  const password = await readBackupPassword(io, { confirm: false });
  const result = await verifyBackup({
    file: resolve(values.in),
    password,
    onProgress: progressPrinter(io, 'parley backup verify'),
    allowCostlyKdf: values['allow-costly-kdf'] === true,
  }).catch(withCostlyKdfHint);
  io.stdout(
    `OK: the password is right and every chunk is intact. Backup of ${result.createdAt} (Parley ${result.appVersion}), ` +
      `${count(result.files, 'file')}, ${formatBytes(result.contentBytes)}.\n`,
  );
  return EXIT_OK;
}

/** A refused costly KDF: the terminal's way to confirm is the flag. */
export function withCostlyKdfHint(err: unknown): never {
  if (isBackupError(err, 'costly_kdf')) {
    throw new BackupError(
      'costly_kdf',
      `${err.message} To go on, run the command again with --allow-costly-kdf.`,
    );
  }
  throw err;
}

async function create(
  values: Record<string, string | boolean | undefined>,
  io: CliIo,
  out: string,
): Promise<number> {
  const profileDir = resolve(typeof values.profile === 'string' ? values.profile : defaultProfileDir(io.env));
  const jobId = `cli-${randomBytes(6).toString('hex')}`;
  const node = await runningNode(profileDir);
  if (node) {
    // The node holds the profile open: it takes the snapshot (a second writer would fork MLS state).
    try {
      const password = await readBackupPassword(io, { confirm: true });
      io.stderr('parley backup: The node running on this profile is writing the backup…\n');
      const reply = await node.request(
        'backup.create',
        { jobId, path: out, password },
        { timeoutMs: NODE_BACKUP_TIMEOUT_MS },
      );
      if (!reply.ok) {
        if (reply.error.code === 'UNKNOWN_REQUEST') {
          throw new ParleyError(
            'UNKNOWN_REQUEST',
            'The running node cannot make backups; update Parley and restart it.',
          );
        }
        throw new ParleyError(reply.error.code, reply.error.message);
      }
      return printCreated(io, BackupCreated.parse(reply.value));
    } finally {
      node.close();
    }
  }
  const core = createCore(cliCoreOptions(profileDir, 'cli', io));
  try {
    await unlockHere(core, io, 'nothing to back up.');
    const password = await readBackupPassword(io, { confirm: true });
    const print = progressPrinter(io, 'parley backup');
    const off = core.onEvent((name, payload) => {
      if (name === 'backup.progress') {
        const p = payload as BackupProgress & { jobId: string };
        if (p.jobId === jobId) print(p);
      }
    });
    try {
      const reply = await core.dispatch('backup.create', { jobId, path: out, password });
      if (!reply.ok) throw new CliFailure(reply.error.message);
      return printCreated(io, BackupCreated.parse(reply.value));
    } finally {
      off();
    }
  } finally {
    await core.close();
  }
}

function printCreated(io: CliIo, created: BackupCreated): number {
  io.stdout(
    `Backup written: ${created.path} (${formatBytes(created.archiveBytes)}, ${count(created.files, 'file')}). ` +
      'Keep the backup password: without it the archive cannot be opened.\n',
  );
  return EXIT_OK;
}

/**
 * The backup password: from PARLEY_BACKUP_PASSWORD, else asked without echo
 * (twice when creating an archive). Never from argv, never printed, never the
 * unlock passphrase.
 */
export async function readBackupPassword(io: CliIo, { confirm }: { confirm: boolean }): Promise<string> {
  const fromEnv = io.env[BACKUP_PASSWORD_ENV];
  let password: string;
  if (fromEnv !== undefined && fromEnv !== '') {
    password = fromEnv;
  } else {
    if (!io.promptSecret) {
      throw new UsageError(
        `No backup password: set ${BACKUP_PASSWORD_ENV} or run this command in a terminal to be asked.`,
      );
    }
    password = await io.promptSecret('Backup password: ');
    if (confirm && (await io.promptSecret('Repeat backup password: ')) !== password) {
      throw new UsageError('The two backup passwords differ. Nothing was written.');
    }
  }
  const problem = confirm ? passphraseProblem(password) : null;
  if (problem) throw new UsageError(`Backup password: ${problem}`);
  return password;
}

/** Progress lines on stderr (stdout stays for the result): one per phase and per 10 %. */
export function progressPrinter(io: CliIo, label: string): (p: BackupProgress) => void {
  let lastPhase = '';
  let lastTenth = -1;
  return (p) => {
    if (p.phase === 'done') return;
    const tenth = p.bytesTotal > 0 ? Math.floor((p.bytesDone / p.bytesTotal) * 10) : 0;
    if (p.phase === lastPhase && tenth === lastTenth) return;
    lastPhase = p.phase;
    lastTenth = tenth;
    const pct = p.bytesTotal > 0 ? ` ${tenth * 10}% of ${formatBytes(p.bytesTotal)}` : '';
    io.stderr(`${label}: ${PHASE_WORDS[p.phase]}${pct ? `:${pct}` : '…'}\n`);
  };
}

// One wording for sizes in the UI, the CLI and the core's messages.
export { formatBytes };
