import { parseArgs } from 'node:util';
import { databaseError, isParleyError } from '../core/errors';
import type { CommandSpec } from './commandSpec';
import { CliFailure, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, sentence } from './cliError';
import { commands as allCommands } from './commands';
import { VERSION } from './coreOptions';
import type { CliIo } from './io';

export function mainHelp(commands: readonly CommandSpec[] = allCommands): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `parley ${VERSION} — serverless, end-to-end encrypted messenger (headless core)`,
    '',
    'Usage: parley COMMAND [OPTIONS]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  -h, --help     show help (also: parley COMMAND --help)',
    '  -v, --version  show the version',
    '',
    'Environment:',
    '  PARLEY_PASSPHRASE  the profile passphrase (otherwise asked for in the terminal)',
    '  PARLEY_LOG=debug   more detailed logs on stderr (never message content or keys)',
    '  PARLEY_LISTEN      multiaddr for `parley web` (and the `parley node` default) to join the peer network on',
    '  PARLEY_MDNS=off    keep `parley web` off LAN discovery (mDNS) even when it joins the network',
    '  PARLEY_PUBLIC      multiaddrs other networks reach `parley web` on (as `parley node --public`)',
    '',
  ].join('\n');
}

export function commandHelp(c: CommandSpec): string {
  const usage = c.options.map((o) => {
    const flag = `--${o.name}${o.value ? ` ${o.value}` : ''}`;
    return o.required ? flag : `[${flag}]`;
  });
  const p = c.positionals;
  if (p) usage.push(p.required ? `${p.name}...` : `[${p.name}...]`);
  const width = Math.max(10, ...c.options.map((o) => `--${o.name}${o.value ? ` ${o.value}` : ''}`.length));
  return [
    `Usage: parley ${c.name} ${usage.join(' ')}`.trimEnd(),
    '',
    c.summary + '.',
    ...(c.details ? ['', c.details] : []),
    ...(p
      ? ['', 'Arguments:', `  ${p.name.padEnd(width)}  ${p.description}${p.required ? ' (required)' : ''}`]
      : []),
    '',
    'Options:',
    ...c.options.map(
      (o) =>
        `  ${`--${o.name}${o.value ? ` ${o.value}` : ''}`.padEnd(width)}  ${o.description}${o.required ? ' (required)' : ''}`,
    ),
    `  ${'-h, --help'.padEnd(width)}  show this help`,
    '',
  ].join('\n');
}

/** Runs `parley ARGS…` and returns the exit code: 0 ok, 1 failed, 2 wrong usage. */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  commands: readonly CommandSpec[] = allCommands,
): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    const topic = first === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    io.stdout(topic ? commandHelp(topic) : mainHelp(commands));
    return first === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (first === '-v' || first === '--version') {
    io.stdout(`${VERSION}\n`);
    return EXIT_OK;
  }
  const command = commands.find((c) => c.name === first);
  if (!command) {
    io.stderr(`parley: Unknown command "${first}". Run "parley --help" for the list.\n`);
    return EXIT_USAGE;
  }
  try {
    let values: Record<string, string | boolean | undefined>;
    let positionals: string[];
    try {
      const parsed = parseArgs({
        args: [...rest],
        strict: true,
        allowPositionals: command.positionals !== undefined,
        options: {
          help: { type: 'boolean', short: 'h' },
          ...Object.fromEntries(command.options.map((o) => [o.name, { type: o.type }])),
        },
      });
      values = parsed.values as Record<string, string | boolean | undefined>;
      positionals = parsed.positionals;
    } catch (err) {
      throw new UsageError((err as Error).message.replace(/\. To specify a positional argument.*$/s, '.'));
    }
    if (values.help) {
      io.stdout(commandHelp(command));
      return EXIT_OK;
    }
    for (const o of command.options) {
      if (o.required && values[o.name] === undefined) throw new UsageError(`--${o.name} is required.`);
    }
    if (command.positionals?.required && positionals.every((word) => word.trim() === '')) {
      throw new UsageError(`${command.positionals.name} is required.`);
    }
    return await command.run(values, io, positionals);
  } catch (err) {
    // Every problem is one line (or two, with a hint) in one shape: `parley COMMAND: Sentence.`
    const say = (message: string): void => io.stderr(`parley ${command.name}: ${sentence(message)}\n`);
    if (err instanceof UsageError) {
      say(err.message);
      io.stderr(`Run "parley ${command.name} --help" for usage.\n`);
      return EXIT_USAGE;
    }
    if (err instanceof CliFailure || isParleyError(err)) {
      say(err.message);
      return EXIT_FAILURE;
    }
    // A command that reads the database itself (search) meets SQLite's verdicts directly.
    const storage = databaseError(err);
    if (storage) {
      say(storage.message);
      return EXIT_FAILURE;
    }
    throw err;
  }
}
