import { describe, expect, it } from 'vitest';
import {
  clampSidebarWidth,
  DEFAULT_SIDEBAR,
  parseSidebarLayout,
  SIDEBAR_MAX,
  SIDEBAR_MIN,
} from './sidebarLayout';

describe('sidebar layout', () => {
  it('keeps a dragged width within its bounds', () => {
    expect(clampSidebarWidth(10)).toBe(SIDEBAR_MIN);
    expect(clampSidebarWidth(5000)).toBe(SIDEBAR_MAX);
    expect(clampSidebarWidth(301.6)).toBe(302);
  });

  it('reads a stored layout, and falls back for missing or damaged values', () => {
    expect(parseSidebarLayout('{"width":260,"collapsed":true}')).toEqual({ width: 260, collapsed: true });
    expect(parseSidebarLayout('{"width":9999}')).toEqual({ width: SIDEBAR_MAX, collapsed: false });
    expect(parseSidebarLayout('{"width":"wide","collapsed":"yes"}')).toEqual(DEFAULT_SIDEBAR);
    expect(parseSidebarLayout('nope')).toEqual(DEFAULT_SIDEBAR);
    expect(parseSidebarLayout(null)).toEqual(DEFAULT_SIDEBAR);
  });
});
