import type { EventTable, RequestTable } from './table';

/** Files: send, receive, progress, save (issue #6). */
export const filesRequests = {} as const satisfies RequestTable;

export const filesEvents = {} as const satisfies EventTable;
