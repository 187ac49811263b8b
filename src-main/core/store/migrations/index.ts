import type { Migration } from '../migration';
import { migration0001 } from './0001-initial';

/** In order; a new migration is a new file appended here. */
export const migrations: readonly Migration[] = [migration0001];
