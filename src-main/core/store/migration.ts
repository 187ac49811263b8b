import type { Db } from './encryptedDatabase';

/** One schema step. Each lives in its own file under migrations/ and is tested from the step before. */
export interface Migration {
  version: number;
  name: string;
  up(db: Db): void;
}
