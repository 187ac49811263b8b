/**
 * The locale times are written in: the OS's region format where the shell can
 * read it (issue 17 item 20). Electron's renderer formats with the OS
 * *language* (a British English speaker with a German region gets "6:06 PM"
 * instead of "18:06"), so each shell finds the region's locale and the core
 * hands it to the renderer in `app.info`.
 *
 * Takes candidates in order of preference and returns the first one Intl
 * knows, as a BCP 47 tag ("en_GB.UTF-8" → "en-GB"); null when none is usable
 * ("C", "POSIX", empty), so the renderer keeps its own default.
 */
export function timeLocaleFrom(candidates: readonly (string | null | undefined)[]): string | null {
  for (const raw of candidates) {
    if (!raw) continue;
    // POSIX form: language_TERRITORY.codeset@modifier.
    const tag = raw.split(/[.@]/)[0]?.replace(/_/g, '-') ?? '';
    if (tag === '' || tag === 'C' || tag === 'POSIX') continue;
    try {
      const [canonical] = Intl.getCanonicalLocales(tag);
      if (canonical && Intl.DateTimeFormat.supportedLocalesOf([canonical]).length > 0) return canonical;
    } catch {
      // Not a language tag at all: try the next candidate.
    }
  }
  return null;
}

/** The region format of a POSIX environment: LC_ALL overrides LC_TIME, which overrides LANG. */
export function posixTimeLocale(env: Readonly<Record<string, string | undefined>>): string | null {
  return timeLocaleFrom([env.LC_ALL, env.LC_TIME, env.LANG]);
}
