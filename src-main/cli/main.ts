import { runCli } from './cli';
import type { CliIo } from './io';
import { promptLineFromStdin, promptSecretFromTty } from './secretPrompt';
import { untilStopSignal } from './stopSignals';

/** Entry of the bundled `parley` command (out/cli/parley.mjs). */
const io: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  ...(process.stdin.isTTY ? { promptSecret: promptSecretFromTty } : {}),
  promptLine: promptLineFromStdin,
  untilStopped: () => untilStopSignal(),
};

runCli(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`parley: unexpected failure: ${err instanceof Error ? err.name : 'error'}\n`);
    process.exitCode = 1;
  },
);
