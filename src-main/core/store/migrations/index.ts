import type { Migration } from '../migration';
import { migration0001 } from './0001-initial';
import { migration0002 } from './0002-messaging';
import { migration0003 } from './0003-search-index';
import { migration0004 } from './0004-mls';
import { migration0005 } from './0005-search-scope';
import { migration0006 } from './0006-delivery';
import { migration0007 } from './0007-outbox-open-queue';
import { migration0008 } from './0008-group-sequencer';
import { migration0009 } from './0009-contact-trust';
import { migration0010 } from './0010-pending-content';
import { migration0011 } from './0011-file-transfers';
import { migration0012 } from './0012-timer-order';
import { migration0013 } from './0013-read-receipt-index';
import { migration0014 } from './0014-unsettled-sends';
import { migration0015 } from './0015-durability-mark';
import { migration0016 } from './0016-address-records';
import { migration0017 } from './0017-contact-request-proof';
import { migration0018 } from './0018-system-events';
import { migration0019 } from './0019-device-lists';
import { migration0020 } from './0020-history-transfers';
import { migration0021 } from './0021-timer-device';
import { migration0022 } from './0022-self-group';

/** In order; a new migration is a new file appended here. */
export const migrations: readonly Migration[] = [
  migration0001,
  migration0002,
  migration0003,
  migration0004,
  migration0005,
  migration0006,
  migration0007,
  migration0008,
  migration0009,
  migration0010,
  migration0011,
  migration0012,
  migration0013,
  migration0014,
  migration0015,
  migration0016,
  migration0017,
  migration0018,
  migration0019,
  migration0020,
  migration0021,
  migration0022,
];
