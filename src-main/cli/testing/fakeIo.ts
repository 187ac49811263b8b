import type { CliIo } from '../io';

/** A CliIo that records what a command prints, for tests. */
export interface FakeIo extends CliIo {
  out: string;
  err: string;
}

/** Records stdout/stderr; the environment always asks for the cheap test KDF (PARLEY_KDF_FAST). */
export function recordingIo(env: Record<string, string> = {}, extra: Partial<CliIo> = {}): FakeIo {
  const io: FakeIo = {
    out: '',
    err: '',
    stdout: (t) => {
      io.out += t;
    },
    stderr: (t) => {
      io.err += t;
    },
    env: { PARLEY_KDF_FAST: '1', ...env },
    ...extra,
  };
  return io;
}
