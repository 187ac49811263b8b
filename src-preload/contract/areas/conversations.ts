import type { EventTable, RequestTable } from './table';

/** Per-conversation settings: disappearing-message timer, notifications; notification events (issue #6). */
export const conversationsRequests = {} as const satisfies RequestTable;

export const conversationsEvents = {} as const satisfies EventTable;
