import { runCli } from '../cli';
import type { CliIo } from '../io';
import type { FakeIo } from './fakeIo';

/** Polls `check` every 100 ms until it holds or `ms` pass; every wait in the CLI tests is bounded. */
export async function until(
  check: () => boolean | Promise<boolean>,
  ms: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `parley node` in this process on 127.0.0.1; `stop()` plays the part of SIGINT. */
export async function startCliNode(
  profile: string,
  makeIo: (extra: Partial<CliIo>) => FakeIo,
): Promise<{ io: FakeIo; stop(): Promise<number> }> {
  let stopNode: () => void = () => {};
  const stopped = new Promise<void>((r) => (stopNode = r));
  const io = makeIo({ untilStopped: () => stopped });
  let exit: number | null = null;
  const running = runCli(['node', '--profile', profile, '--listen', '/ip4/127.0.0.1/tcp/0'], io).then(
    (code) => {
      exit = code;
      return code;
    },
  );
  await until(() => exit !== null || io.out.includes('Parley node running'), 30_000, 'the node to start');
  if (exit !== null) throw new Error(`parley node exited ${exit as number}: ${io.err}`);
  return {
    io,
    stop: () => {
      stopNode();
      return running;
    },
  };
}
