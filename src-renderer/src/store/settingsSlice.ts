import type { StateCreator } from 'zustand';
import type { AppState } from './appStore';

/** Minutes of inactivity before Parley locks itself; 0 = never. */
export const IDLE_LOCK_CHOICES = [0, 1, 5, 15, 60] as const;
export type IdleLockMinutes = (typeof IDLE_LOCK_CHOICES)[number];

const IDLE_KEY = 'parley.idleLockMinutes';

export type HomeView = 'chat' | 'settings';

/** The Settings side list, in the order shown; each section is one short page. */
export const SETTINGS_SECTIONS = [
  { id: 'profile', label: 'Profile' },
  { id: 'appearance', label: 'Appearance' },
  { id: 'privacy', label: 'Privacy' },
  { id: 'network', label: 'Network' },
  { id: 'devices', label: 'Devices' },
  { id: 'security', label: 'Security' },
  { id: 'chats', label: 'Chats' },
  { id: 'notifications', label: 'Notifications' },
  { id: 'files', label: 'Files' },
  { id: 'backup', label: 'Backup' },
  { id: 'about', label: 'About' },
] as const;
export type SettingsSectionId = (typeof SETTINGS_SECTIONS)[number]['id'];

export interface SettingsSlice {
  /** What the main pane shows: the conversation (or the welcome) or the settings. */
  view: HomeView;
  /** The Settings section on screen; kept while the window lives, so Settings reopens where it was left. */
  settingsSection: SettingsSectionId;
  idleLockMinutes: IdleLockMinutes;
  showView(view: HomeView): void;
  showSettingsSection(section: SettingsSectionId): void;
  setIdleLockMinutes(minutes: IdleLockMinutes): void;
}

function isChoice(n: number): n is IdleLockMinutes {
  return (IDLE_LOCK_CHOICES as readonly number[]).includes(n);
}

/**
 * Kept in localStorage until the core stores settings: a per-device preference,
 * not a secret, and the renderer needs it before anything is unlocked.
 */
function readIdleMinutes(): IdleLockMinutes {
  try {
    const n = Number(window.localStorage.getItem(IDLE_KEY) ?? '0');
    return isChoice(n) ? n : 0;
  } catch {
    return 0;
  }
}

export const createSettingsSlice: StateCreator<AppState, [], [], SettingsSlice> = (set) => ({
  view: 'chat',
  idleLockMinutes: readIdleMinutes(),
  settingsSection: 'profile',
  showView: (view) => set({ view }),
  showSettingsSection: (settingsSection) => set({ settingsSection }),
  setIdleLockMinutes(minutes) {
    try {
      window.localStorage.setItem(IDLE_KEY, String(minutes));
    } catch {
      // Storage can be disabled; the choice still holds for this window.
    }
    set({ idleLockMinutes: minutes });
  },
});
