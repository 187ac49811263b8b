import { runWorker } from './runWorker';

export interface VacuumConvertInput {
  path: string;
  key: Uint8Array;
  nativeBinding?: string;
}

export interface VacuumConvertReport {
  ok: boolean;
  /** The database was rewritten with incremental auto-vacuum on. */
  converted: boolean;
  errorCode?: string;
}

/** One-time conversion of an older database to incremental auto-vacuum, off the main thread. */
export function convertToIncrementalVacuum(input: VacuumConvertInput): Promise<VacuumConvertReport> {
  return runWorker<VacuumConvertReport>('vacuumConvert', input, 30 * 60_000);
}
