import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/util/atomicFile';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: Rect;
  maximized: boolean;
}

/** Where the window opens: no x/y means "let Electron centre it". */
export type Placement = { x?: number; y?: number; width: number; height: number };

export const WINDOW_STATE_FILE = 'window-state.json';
export const DEFAULT_SIZE = { width: 1100, height: 760 } as const;
export const MIN_SIZE = { width: 720, height: 480 } as const;

/** Larger than any real display setup; guards against a hand-edited or damaged file. */
const MAX_COORDINATE = 100_000;
/** How much of the window must lie on a display for the saved position to be kept. */
const MIN_VISIBLE = { width: 120, height: 80 } as const;

/** Reads the saved state; anything odd (bad JSON, wrong types, absurd numbers) means "no saved state". */
export function parseWindowState(text: string | undefined): WindowState | undefined {
  if (text === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { x, y, width, height, maximized } = raw as Record<string, unknown>;
  const coordinate = (n: unknown): n is number =>
    Number.isInteger(n) && Math.abs(n as number) <= MAX_COORDINATE;
  const size = (n: unknown): n is number => coordinate(n) && (n as number) > 0;
  if (!coordinate(x) || !coordinate(y) || !size(width) || !size(height)) return undefined;
  return { bounds: { x, y, width, height }, maximized: maximized === true };
}

export function serializeWindowState(state: WindowState): string {
  return `${JSON.stringify({ ...state.bounds, maximized: state.maximized })}\n`;
}

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)),
    height: Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)),
  };
}

const clamp = (n: number, lo: number, hi: number) => Math.min(Math.max(n, lo), hi);

function fitSize(width: number, height: number, area: Rect): { width: number; height: number } {
  return {
    width: Math.min(Math.max(width, MIN_SIZE.width), area.width),
    height: Math.min(Math.max(height, MIN_SIZE.height), area.height),
  };
}

/**
 * Puts the saved bounds back on a display that exists now. A window whose
 * display was unplugged (or that is mostly off-screen) is centred on the
 * primary display instead of opening where nobody can reach it; a window larger
 * than its display is shrunk to fit. `workAreas` lists the primary display first.
 */
export function placeWindow(saved: Rect | undefined, workAreas: readonly Rect[]): Placement {
  const primary = workAreas[0];
  if (primary === undefined)
    return { ...(saved ? { width: saved.width, height: saved.height } : DEFAULT_SIZE) };
  if (saved === undefined) return fitSize(DEFAULT_SIZE.width, DEFAULT_SIZE.height, primary);

  let best: Rect | undefined;
  let bestArea = 0;
  for (const area of workAreas) {
    const o = overlap(saved, area);
    if (o.width >= MIN_VISIBLE.width && o.height >= MIN_VISIBLE.height && o.width * o.height > bestArea) {
      best = area;
      bestArea = o.width * o.height;
    }
  }
  if (best === undefined) return fitSize(saved.width, saved.height, primary);

  const size = fitSize(saved.width, saved.height, best);
  return {
    x: clamp(saved.x, best.x, best.x + best.width - size.width),
    y: clamp(saved.y, best.y, best.y + best.height - size.height),
    ...size,
  };
}

/** Reads `window-state.json` from userData; a missing or unreadable file is not an error. */
export function loadWindowState(userData: string): WindowState | undefined {
  try {
    return parseWindowState(readFileSync(join(userData, WINDOW_STATE_FILE), 'utf8'));
  } catch {
    return undefined;
  }
}

/** Best effort: losing the window position is not worth an error at quit. */
export function saveWindowState(userData: string, state: WindowState): void {
  try {
    writeFileAtomic(join(userData, WINDOW_STATE_FILE), serializeWindowState(state));
  } catch {
    /* the next start simply uses the default size */
  }
}
