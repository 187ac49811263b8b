import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_SIZE,
  loadWindowState,
  MIN_SIZE,
  parseWindowState,
  placeWindow,
  saveWindowState,
  serializeWindowState,
  WINDOW_STATE_FILE,
  type Rect,
} from './windowState';

const PRIMARY: Rect = { x: 0, y: 0, width: 1920, height: 1050 };
const RIGHT: Rect = { x: 1920, y: 0, width: 1280, height: 1000 };

describe('parseWindowState', () => {
  it('reads what serializeWindowState wrote', () => {
    const state = { bounds: { x: -40, y: 20, width: 1000, height: 700 }, maximized: true };
    expect(parseWindowState(serializeWindowState(state))).toEqual(state);
  });

  it('treats a missing maximized flag as false', () => {
    expect(parseWindowState('{"x":1,"y":2,"width":800,"height":600}')).toEqual({
      bounds: { x: 1, y: 2, width: 800, height: 600 },
      maximized: false,
    });
  });

  it.each([
    undefined,
    '',
    '{',
    'null',
    '[]',
    '"x"',
    '42',
    '{"x":1,"y":2,"width":800}',
    '{"x":"1","y":2,"width":800,"height":600}',
    '{"x":1.5,"y":2,"width":800,"height":600}',
    '{"x":1,"y":2,"width":0,"height":600}',
    '{"x":1,"y":2,"width":-800,"height":600}',
    '{"x":1e9,"y":2,"width":800,"height":600}',
    '{"x":1,"y":2,"width":800,"height":1e300}',
  ])('ignores the bad content %j', (text) => {
    expect(parseWindowState(text)).toBeUndefined();
  });
});

describe('placeWindow', () => {
  it('uses the default size, centred, when nothing was saved', () => {
    expect(placeWindow(undefined, [PRIMARY])).toEqual(DEFAULT_SIZE);
  });

  it('fits the default size into a small display', () => {
    expect(placeWindow(undefined, [{ x: 0, y: 0, width: 800, height: 560 }])).toEqual({
      width: 800,
      height: 560,
    });
  });

  it('keeps a saved position that is on screen', () => {
    const saved = { x: 100, y: 80, width: 1000, height: 700 };
    expect(placeWindow(saved, [PRIMARY, RIGHT])).toEqual(saved);
  });

  it('keeps a window on a second display', () => {
    const saved = { x: 2000, y: 100, width: 900, height: 600 };
    expect(placeWindow(saved, [PRIMARY, RIGHT])).toEqual(saved);
  });

  it('centres on the primary display when the saved display is gone', () => {
    expect(placeWindow({ x: 2000, y: 100, width: 900, height: 600 }, [PRIMARY])).toEqual({
      width: 900,
      height: 600,
    });
    expect(placeWindow({ x: -5000, y: -5000, width: 900, height: 600 }, [PRIMARY])).toEqual({
      width: 900,
      height: 600,
    });
  });

  it('centres a window of which only a sliver is visible', () => {
    expect(placeWindow({ x: 1900, y: 100, width: 900, height: 600 }, [PRIMARY])).toEqual({
      width: 900,
      height: 600,
    });
  });

  it('pulls a partly off-screen window fully onto its display', () => {
    expect(placeWindow({ x: 1500, y: 900, width: 900, height: 600 }, [PRIMARY])).toEqual({
      x: 1920 - 900,
      y: 1050 - 600,
      width: 900,
      height: 600,
    });
    expect(placeWindow({ x: -300, y: -20, width: 900, height: 600 }, [PRIMARY])).toEqual({
      x: 0,
      y: 0,
      width: 900,
      height: 600,
    });
  });

  it('shrinks a window larger than its display and grows one below the minimum', () => {
    expect(placeWindow({ x: 0, y: 0, width: 5000, height: 4000 }, [PRIMARY])).toEqual(PRIMARY);
    expect(placeWindow({ x: 10, y: 10, width: 200, height: 100 }, [PRIMARY])).toEqual({
      x: 10,
      y: 10,
      ...MIN_SIZE,
    });
  });

  it('picks the display holding most of the window', () => {
    const placed = placeWindow({ x: 1700, y: 0, width: 1000, height: 600 }, [PRIMARY, RIGHT]);
    expect(placed).toEqual({ x: 1920, y: 0, width: 1000, height: 600 });
  });

  it('copes with no display information', () => {
    expect(placeWindow(undefined, [])).toEqual(DEFAULT_SIZE);
    expect(placeWindow({ x: 5, y: 5, width: 900, height: 600 }, [])).toEqual({ width: 900, height: 600 });
  });
});

describe('loadWindowState / saveWindowState', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-window-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips through the file and survives a damaged or missing one', () => {
    expect(loadWindowState(dir)).toBeUndefined();
    const state = { bounds: { x: 10, y: 20, width: 900, height: 700 }, maximized: false };
    saveWindowState(dir, state);
    expect(JSON.parse(readFileSync(join(dir, WINDOW_STATE_FILE), 'utf8'))).toEqual({
      ...state.bounds,
      maximized: false,
    });
    expect(loadWindowState(dir)).toEqual(state);
    writeFileSync(join(dir, WINDOW_STATE_FILE), '{"x":');
    expect(loadWindowState(dir)).toBeUndefined();
  });

  it('does not throw when the folder cannot be written', () => {
    expect(() =>
      saveWindowState(join(dir, 'missing', 'deeper'), { bounds: PRIMARY, maximized: false }),
    ).not.toThrow();
  });
});
