import type { EventTable, RequestTable } from './table';

/** Group changes after creation: members, roles, rename, leave, info (issue #4, #6). */
export const groupsRequests = {} as const satisfies RequestTable;

export const groupsEvents = {} as const satisfies EventTable;
