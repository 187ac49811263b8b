import type { StateCreator } from 'zustand';
import {
  clampSidebarWidth,
  readSidebarLayout,
  saveSidebarLayout,
  type SidebarLayout,
} from '../lib/sidebarLayout';
import type { AppState } from './appStore';

/** The home sidebar's width and whether it is collapsed to a rail (lib/sidebarLayout.ts). */
export interface LayoutSlice {
  sidebar: SidebarLayout;
  /** While dragging: moves the sidebar without saving on every pixel. */
  setSidebarWidth(width: number, save?: boolean): void;
  setSidebarCollapsed(collapsed: boolean): void;
}

export const createLayoutSlice: StateCreator<AppState, [], [], LayoutSlice> = (set, get) => {
  function update(change: Partial<SidebarLayout>, save: boolean): void {
    const sidebar = { ...get().sidebar, ...change };
    if (save) saveSidebarLayout(sidebar);
    set({ sidebar });
  }
  return {
    sidebar: readSidebarLayout(),
    setSidebarWidth: (width, save = true) =>
      update({ width: clampSidebarWidth(width), collapsed: false }, save),
    setSidebarCollapsed: (collapsed) => update({ collapsed }, true),
  };
};
