import type { EventTable, RequestTable } from './table';

/** Presence, nearby peers, network and privacy settings, blocking (issue #5). */
export const networkRequests = {} as const satisfies RequestTable;

export const networkEvents = {} as const satisfies EventTable;
