import { timeLocaleFrom } from '../core/host/timeLocale';

/** The part of Electron's `app` that knows the OS's locales; tests pass a fake. */
export interface LocaleSource {
  /** The OS's region format (macOS: the Region setting; Windows: the format locale). */
  getSystemLocale(): string;
  /** The user's preferred languages, with their regions, most preferred first. */
  getPreferredSystemLanguages(): string[];
}

/**
 * The locale the window writes times in: the OS region format first, then the
 * preferred languages; null when the OS names none Intl knows. `app.getLocale()`
 * (the UI language Chromium formats with by default) is deliberately not used.
 */
export function regionTimeLocale(app: LocaleSource): string | null {
  try {
    return timeLocaleFrom([app.getSystemLocale(), ...app.getPreferredSystemLanguages()]);
  } catch {
    // Called before the app is ready, or an OS without the API: the renderer's default then.
    return null;
  }
}
