import { TIMER_CHOICES_MS } from '../../../../src-preload/contract/areas/conversations';

/** The disappearing-message choices the menus offer, in order, with the words the chat uses. */
export const TIMER_OPTIONS: readonly { ms: number | null; label: string }[] = [
  { ms: null, label: 'Off' },
  ...TIMER_CHOICES_MS.map((ms) => ({ ms, label: timerLabel(ms) })),
];

/** "5 minutes", "1 hour", "1 day", "1 week"; other values in their largest whole unit. */
export function timerLabel(ms: number | null): string {
  if (ms === null) return 'Off';
  const units: [number, string][] = [
    [604_800_000, 'week'],
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1_000, 'second'],
  ];
  for (const [size, name] of units) {
    if (ms >= size && ms % size === 0) {
      const n = ms / size;
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return `${Math.max(1, Math.round(ms / 1_000))} seconds`;
}

export const NOTIFY_OPTIONS = [
  { mode: 'all', label: 'All messages' },
  { mode: 'mentions', label: 'Mentions only' },
  { mode: 'muted', label: 'Muted' },
] as const;
