import { LinkStatusView } from '../../../src-shared/contract/areas/devices';
import { createCore } from '../../core/core';
import { ParleyError } from '../../core/errors';
import { LinkError } from '../../core/linking/linkFailure';
import { formatSas } from '../../core/linking/linkKeySchedule';
import { linkThisDevice } from '../../core/linking/linkThisDevice';
import type { CommandSpec } from '../commandSpec';
import { CliFailure, EXIT_OK, UsageError } from '../cliError';
import { nodeProfileOption, withNode, type NodeSession } from '../control/nodeSession';
import { cliCoreOptions } from '../coreOptions';
import { defaultProfileDir } from '../defaultProfileDir';
import type { CliIo } from '../io';
import { readPassphrase } from '../passphraseInput';
import { removeDevice, renameDevice } from './deviceChange';

/**
 * `parley device link-code` (on the device in use, through its running node)
 * and `parley device link --profile DIR CODE` (on a new install), issue 18,
 * docs/protocol.md §13.5 and §13.10. Both print the 6-digit short code and
 * ask whether it matches the other screen; nothing is linked without a "y"
 * on both sides (or `--yes`, for scripts that compare the codes themselves).
 */
const POLL_MS = 250;

async function confirmed(io: CliIo, yes: boolean, sas: string, other: string): Promise<boolean> {
  io.stdout(`Short code: ${sas}   (the other device is ${other.slice(-8)})\n`);
  if (yes) return true;
  if (!io.promptLine) throw new UsageError('No terminal to answer in: compare the codes and pass --yes.');
  const answer = await io.promptLine('Does the other screen show the same code? [y/N] ');
  return /^\s*y(es)?\s*$/i.test(answer);
}

async function status(node: NodeSession, name: string, params: Record<string, unknown> = {}) {
  const parsed = LinkStatusView.safeParse(await node.call(name, params));
  if (!parsed.success) throw new ParleyError('INTERNAL', 'The node answered with no link status.');
  return parsed.data;
}

/** Polls until the state is one of `until` (bounded by the code's expiry and a minute). */
async function waitFor(
  node: NodeSession,
  until: readonly string[],
  deadline: number,
): Promise<LinkStatusView> {
  for (;;) {
    const s = await status(node, 'devices.linkStatus');
    if (until.includes(s.state)) return s;
    if (Date.now() > deadline) throw new CliFailure('The link code expired. Nothing was linked.');
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function linkCode(values: Record<string, string | boolean | undefined>, io: CliIo): Promise<number> {
  return withNode(values, io, async (node) => {
    const shown = await status(node, 'devices.linkCode');
    const deadline = (shown.expiresAt ?? Date.now()) + 60_000;
    io.stdout(`${shown.code ?? ''}\n`);
    io.stderr(
      'On the new device run `parley device link --profile DIR CODE` (or paste it under "I already use Parley").\n',
    );
    const met = await waitFor(node, ['sas', 'failed', 'closed'], deadline);
    if (met.state !== 'sas') throw new CliFailure(met.message ?? 'Linking ended.');
    const match = await confirmed(io, values.yes === true, met.sas ?? '', met.peer ?? '');
    await status(node, 'devices.confirmSas', { match });
    if (!match) throw new CliFailure('The codes differ: nothing was linked and the code is cancelled.');
    const end = await waitFor(node, ['done', 'failed', 'closed'], deadline);
    if (end.state !== 'done') throw new CliFailure(end.message ?? 'Linking ended.');
    io.stdout(`Linked the new device ${(end.peer ?? '').slice(-8)}.\n`);
    return EXIT_OK;
  });
}

async function linkHere(
  values: Record<string, string | boolean | undefined>,
  io: CliIo,
  code: string,
): Promise<number> {
  const profileDir = typeof values.profile === 'string' ? values.profile : defaultProfileDir(io.env);
  const core = createCore(cliCoreOptions(profileDir, 'cli', io));
  try {
    if (core.profile.status().state !== 'none') {
      throw new CliFailure(`A profile already exists in ${core.profile.dir}; it is never overwritten.`);
    }
    const passphrase = await readPassphrase(io, { confirm: true });
    const name = typeof values.name === 'string' && values.name.trim() !== '' ? values.name.trim() : 'CLI';
    const linked = await linkThisDevice({
      codeText: code,
      createProfile: (displayName, seed) => core.profile.create(displayName, passphrase, [], seed),
      deviceName: name,
      platform: 'cli',
      wantFiles: values['no-files'] !== true,
      confirmSas: (sas, peer) => confirmed(io, values.yes === true, formatSas(sas), peer),
    }).catch((err: unknown) => {
      if (err instanceof LinkError) throw new CliFailure(err.message);
      throw err;
    });
    io.stdout(
      `Linked: this profile in ${core.profile.dir} is now a device of the same person (${linked.peerId.slice(-8)}).\n`,
    );
    return EXIT_OK;
  } finally {
    await core.close();
  }
}

export const deviceCommand: CommandSpec = {
  name: 'device',
  summary: "Link, remove or rename this person's devices",
  details:
    '`parley device link-code` prints a one-time code from the running node (`parley node`), then the\n' +
    'short code once the new device connects, and asks whether both screens show the same.\n' +
    '`parley device link --profile DIR CODE` makes a new profile in DIR as another device of the person\n' +
    'whose code it is: it shows the same short code and asks too. The passphrase of the new profile comes\n' +
    'from PARLEY_PASSPHRASE or is asked for twice.\n' +
    '`parley device remove ID` removes another of your devices (asks first, unless --yes);\n' +
    '`parley device rename ID NAME` names one (an empty NAME clears it). ID is the short id\n' +
    '`parley devices` shows, or the whole PeerId.',
  options: [
    {
      ...nodeProfileOption,
      description: "link-code: the running node's profile folder; link: the folder of the NEW profile",
    },
    {
      name: 'yes',
      type: 'boolean',
      description: 'answer "the codes match" (link) or "remove it" (remove) without asking (scripts)',
    },
    { name: 'name', type: 'string', value: 'NAME', description: 'link: a name for this device' },
    { name: 'no-files', type: 'boolean', description: 'link: leave files out of the history' },
  ],
  positionals: {
    name: 'link-code | link CODE | remove ID | rename ID NAME',
    description: 'what to do',
    required: true,
  },
  async run(values, io, positionals) {
    const [sub, ...rest] = positionals;
    if (sub === 'link-code') {
      if (rest.length > 0) throw new UsageError('link-code takes no argument.');
      return linkCode(values, io);
    }
    if (sub === 'link') {
      const code = rest.join('').trim();
      if (code === '') throw new UsageError('Give the CODE the other device shows: parley device link CODE.');
      return linkHere(values, io, code);
    }
    if (sub === 'remove') {
      if (rest.length !== 1 || rest[0] === '') throw new UsageError('Give one ID: parley device remove ID.');
      return removeDevice(values, io, rest[0] as string);
    }
    if (sub === 'rename') {
      const [id, ...name] = rest;
      if (id === undefined || name.length === 0)
        throw new UsageError('Give an ID and a NAME: parley device rename ID NAME.');
      return renameDevice(values, io, id, name.join(' '));
    }
    throw new UsageError(
      'Use `parley device link-code`, `parley device link CODE`, `parley device remove ID` or `parley device rename ID NAME`.',
    );
  },
};
