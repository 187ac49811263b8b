import type { EventTable, RequestTable } from './table';

/** Encrypted backup, verify and restore (issue #8). */
export const backupRequests = {} as const satisfies RequestTable;

export const backupEvents = {} as const satisfies EventTable;
