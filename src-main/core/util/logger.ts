/**
 * Structured logging for the core. Log records carry event names and
 * identifiers only: never message content, keys or passphrases (DESIGN.md §3).
 * Callers pass fields explicitly so nothing is logged by accident.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  log(level: LogLevel, event: string, fields?: LogFields): void;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createJsonLogger(write: (line: string) => void, min: LogLevel = 'info'): Logger {
  return {
    log(level, event, fields = {}) {
      if (order[level] < order[min]) return;
      write(JSON.stringify({ t: new Date().toISOString(), level, event, ...fields }));
    },
  };
}

export const silentLogger: Logger = { log() {} };

/** The error class and errno only: messages from libraries may quote data. */
export function errorFields(err: unknown): LogFields {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { error: err.name, errorCode: typeof code === 'string' ? code : undefined };
  }
  return { error: typeof err };
}
