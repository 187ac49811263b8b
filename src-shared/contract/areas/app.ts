import { z } from 'zod';
import type { EventTable, RequestTable } from './table';

/** The running app itself: name, version, shell, where the profile lives. */

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  shell: z.enum(['electron', 'web', 'cli']),
  profileDir: z.string(),
  /**
   * The OS region format's locale for dates and times ("en-GB"), where the shell can read it;
   * null leaves the page's own default (issue 17 item 20).
   */
  timeLocale: z.string().max(64).nullable(),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const appRequests = {
  /** Static facts about the running app, for the About screen and the window title. */
  'app.info': { params: z.object({}).strict(), result: AppInfo },
} as const satisfies RequestTable;

export const appEvents = {} as const satisfies EventTable;
