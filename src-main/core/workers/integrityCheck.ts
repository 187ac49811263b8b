import { runWorker } from './runWorker';

export interface IntegrityInput {
  path: string;
  key: Uint8Array;
  nativeBinding?: string;
}

export interface IntegrityReport {
  ok: boolean;
  /** How many problems SQLite listed (never their text: it may quote data). */
  problems: number;
  errorCode?: string;
}

/** Checks every page of the database off the main thread. */
export function checkIntegrity(input: IntegrityInput): Promise<IntegrityReport> {
  return runWorker<IntegrityReport>('integrityCheck', input);
}
