import type { StateCreator } from 'zustand';
import {
  readAppearance,
  saveAppearance,
  type Appearance,
  type TextSize,
  type Theme,
} from '../lib/appearance';
import type { AppState } from './appStore';

/** Settings → Appearance: theme and text size, this device only (lib/appearance.ts). */
export interface AppearanceSlice {
  appearance: Appearance;
  setTheme(theme: Theme): void;
  setTextSize(textSize: TextSize): void;
}

export const createAppearanceSlice: StateCreator<AppState, [], [], AppearanceSlice> = (set, get) => {
  function update(change: Partial<Appearance>): void {
    const appearance = { ...get().appearance, ...change };
    saveAppearance(appearance);
    set({ appearance });
  }
  return {
    appearance: readAppearance(),
    setTheme: (theme) => update({ theme }),
    setTextSize: (textSize) => update({ textSize }),
  };
};
