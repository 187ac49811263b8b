/**
 * Bidirectional-text controls in names (issue #14 item 12). U+202E RIGHT-TO-
 * LEFT OVERRIDE and its relatives reorder the characters that follow them, so
 * a name such as "Carol\u202Eevil" shows as something else, and can bleed into
 * the text around it ("… sent you a file"). Unicode TR #9 (UAX #9) §2:
 * embeddings and overrides U+202A–U+202E, isolates U+2066–U+2069. Names never
 * need them: the bidi algorithm orders right-to-left names by itself, and the
 * UI isolates each name (`<bdi>`, `unicode-bidi: isolate`). The marks LRM,
 * RLM and ALM are kept: they only nudge neutral characters and cannot
 * reverse a run.
 *
 * Pure TypeScript: the core strips names on their way out (dispatcher and
 * event bus), the CLI strips what it prints, the renderer imports nothing of
 * this but the contract.
 */

export const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

export function stripBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, '');
}

/** Fields that hold a name or a title made of names, wherever they appear in a reply or an event. */
const NAME_KEYS = new Set([
  'name',
  'names',
  'displayName',
  'localName',
  'senderName',
  'conversationName',
  'title',
  'sameNameAs',
]);

/**
 * A copy of `value` with bidi controls stripped from every string held under a
 * name key (recursively; arrays under a name key are lists of names). Other
 * strings (message text, whose search highlights are offsets into it) are left
 * as they are. Objects without such keys come back unchanged, the same value.
 */
export function withCleanNames<T>(value: T): T {
  return clean(value, false) as T;
}

function clean(value: unknown, isName: boolean): unknown {
  if (typeof value === 'string') return isName ? stripBidiControls(value) : value;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const c = clean(v, isName);
      if (c !== v) changed = true;
      return c;
    });
    return changed ? out : value;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    let out: Record<string, unknown> | null = null;
    for (const [k, v] of Object.entries(value)) {
      const c = clean(v, NAME_KEYS.has(k));
      if (c !== v) {
        out ??= { ...(value as Record<string, unknown>) };
        out[k] = c;
      }
    }
    return out ?? value;
  }
  return value;
}
