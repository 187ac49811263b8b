/**
 * Date and time wording for lists and timelines. Pure functions taking `now`
 * so tests are deterministic; formatting uses the OS region's locale when the
 * shell knows it (setTimeLocale), else the page's default, via Intl.
 */

/**
 * Formatters by locale and options. Building an Intl.DateTimeFormat costs about
 * half a millisecond, formatting with one a few microseconds: a chat row used
 * two per render, and opening a conversation spent tens of milliseconds of its
 * first paint building them (issue 17, "open a 100k conversation").
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The locale of every time in the window when a caller names none: the OS region's, once known. */
let defaultLocale: string | undefined;

/**
 * Sets the region format's locale (`app.info`'s timeLocale: in the desktop app the OS
 * region setting, which Chromium's own default, the UI language, ignores). Null keeps
 * the page's default. Set at start, before any time is shown.
 */
export function setTimeLocale(locale: string | null): void {
  defaultLocale = locale ?? undefined;
}

function formatter(locale: string | undefined, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const effective = locale ?? defaultLocale;
  const key = `${effective ?? ''}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(effective, options);
    formatters.set(key, f);
  }
  return f;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Local midnight of the day containing `ms`. */
export function startOfDay(ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** A key that is equal for two instants on the same local calendar day. */
export function dayKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
}

/** Whole local calendar days between two instants (DST-safe: counts midnights, not 24 h spans). */
export function calendarDaysBetween(earlier: number, later: number): number {
  return Math.round((startOfDay(later) - startOfDay(earlier)) / DAY);
}

/**
 * The compact time of the home list: "now", "5 min", a clock time today,
 * "Yesterday", a weekday within the week, then a date.
 */
export function formatRelative(ms: number, now: number, locale?: string): string {
  const diff = now - ms;
  if (diff < MINUTE) return 'now';
  if (diff < HOUR) return `${Math.floor(diff / MINUTE)} min`;
  const days = calendarDaysBetween(ms, now);
  if (days <= 0) return formatClock(ms, locale);
  if (days === 1) return 'Yesterday';
  if (days < 7) return formatter(locale, { weekday: 'short' }).format(ms);
  const sameYear = new Date(ms).getFullYear() === new Date(now).getFullYear();
  return formatter(locale, {
    day: 'numeric',
    month: 'short',
    ...(sameYear ? {} : { year: 'numeric' }),
  }).format(ms);
}

/**
 * The one clock time of the whole window (issue 17 item 20): the locale's own
 * short time ("6:06 PM" in en-US, "18:06" in en-GB and de), never a forced
 * two-digit hour ("06:06 PM"). Every other wording with a time uses it.
 */
export function formatClock(ms: number, locale?: string): string {
  return formatter(locale, { timeStyle: 'short' }).format(ms);
}

/**
 * A moment in a list of results: the clock time today, "Yesterday 6:06 PM",
 * then the short date and the same clock ("5 Dec, 18:06"), the year only
 * when it is not this one.
 */
export function formatStamp(ms: number, now: number, locale?: string): string {
  const clock = formatClock(ms, locale);
  const days = calendarDaysBetween(ms, now);
  if (days <= 0) return clock;
  if (days === 1) return `Yesterday ${clock}`;
  const sameYear = new Date(ms).getFullYear() === new Date(now).getFullYear();
  const date = formatter(locale, {
    day: 'numeric',
    month: 'short',
    ...(sameYear ? {} : { year: 'numeric' }),
  }).format(ms);
  return `${date}, ${clock}`;
}

/** The label of a day separator in the timeline: "Today", "Yesterday", or a full date. */
export function formatDayLabel(ms: number, now: number, locale?: string): string {
  const days = calendarDaysBetween(ms, now);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  const sameYear = new Date(ms).getFullYear() === new Date(now).getFullYear();
  return formatter(locale, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    ...(sameYear ? {} : { year: 'numeric' }),
  }).format(ms);
}

/** A full date and time for tooltips and Message info, with the same clock as formatClock. */
export function formatDateTime(ms: number, locale?: string): string {
  return formatter(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(ms);
}

/** YYYY-MM-DD in local time: the date syntax `before:`/`after:` understand. */
export function isoDay(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * "Offline since …": a clock time today, "yesterday 14:32", a weekday and time
 * within the week, then a date.
 */
export function formatSince(ms: number, now: number, locale?: string): string {
  const days = calendarDaysBetween(ms, now);
  if (days <= 0) return formatClock(ms, locale);
  if (days === 1) return `yesterday ${formatClock(ms, locale)}`;
  if (days < 7) {
    return `${formatter(locale, { weekday: 'long' }).format(ms)} ${formatClock(ms, locale)}`;
  }
  const sameYear = new Date(ms).getFullYear() === new Date(now).getFullYear();
  return formatter(locale, {
    day: 'numeric',
    month: 'short',
    ...(sameYear ? {} : { year: 'numeric' }),
  }).format(ms);
}
