import type { Migration } from '../migration';
import { migration0001 } from './0001-initial';
import { migration0002 } from './0002-messaging';
import { migration0003 } from './0003-search-index';
import { migration0004 } from './0004-mls';
import { migration0005 } from './0005-search-scope';
import { migration0006 } from './0006-delivery';
import { migration0007 } from './0007-outbox-open-queue';

/** In order; a new migration is a new file appended here. */
export const migrations: readonly Migration[] = [
  migration0001,
  migration0002,
  migration0003,
  migration0004,
  migration0005,
  migration0006,
  migration0007,
];
