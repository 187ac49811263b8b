/**
 * @mentions in the composer and in message text (pure; see mentions.test.ts).
 * A mention is typed as "@Name"; the message carries the mentioned members'
 * identity keys (what the core trusts), the text only shows the names.
 */

export interface MentionCandidate {
  key: string;
  name: string;
}

export interface Segment {
  text: string;
  /** Set for an "@Name" of a mentioned member. */
  mention?: { key: string; self: boolean };
}

/** The "@query" being typed just before the caret (at the start or after a space), or null. */
export function mentionQuery(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const match = /(^|\s)@([^\s@]{0,32})$/u.exec(before);
  if (!match) return null;
  const query = match[2] ?? '';
  return { start: caret - query.length - 1, query };
}

/** Members whose name starts with (or, failing that, contains) the query, case-insensitively. */
export function filterCandidates(members: MentionCandidate[], query: string, limit = 6): MentionCandidate[] {
  const q = query.toLocaleLowerCase();
  const starts = members.filter((m) => m.name.toLocaleLowerCase().startsWith(q));
  const contains = members.filter(
    (m) => !m.name.toLocaleLowerCase().startsWith(q) && m.name.toLocaleLowerCase().includes(q),
  );
  return [...starts, ...contains].slice(0, limit);
}

/** Replaces the "@query" at `start` (up to the caret) with "@Name ", returning the new text and caret. */
export function insertMention(
  text: string,
  start: number,
  caret: number,
  name: string,
): { text: string; caret: number } {
  const inserted = `@${name} `;
  return { text: text.slice(0, start) + inserted + text.slice(caret), caret: start + inserted.length };
}

/** The picked members whose "@Name" is still in the text (deleting the name drops the mention). */
export function mentionedKeys(text: string, picked: MentionCandidate[]): string[] {
  return [...new Set(picked.filter((m) => text.includes(`@${m.name}`)).map((m) => m.key))];
}

/**
 * Splits a message body into plain text and "@Name" mentions of the given
 * members (longest names first, so "@Ann Lee" wins over "@Ann"). The pieces
 * are rendered as React text: never HTML.
 */
export function splitMentions(body: string, mentions: MentionCandidate[], selfKey: string | null): Segment[] {
  const names = [...mentions].filter((m) => m.name.length > 0).sort((a, b) => b.name.length - a.name.length);
  if (names.length === 0) return [{ text: body }];
  const out: Segment[] = [];
  let plain = '';
  let i = 0;
  while (i < body.length) {
    const hit =
      body[i] === '@' && (i === 0 || /\s/u.test(body[i - 1] ?? ''))
        ? names.find((m) => body.startsWith(m.name, i + 1))
        : undefined;
    if (hit) {
      if (plain) out.push({ text: plain });
      plain = '';
      out.push({ text: `@${hit.name}`, mention: { key: hit.key, self: hit.key === selfKey } });
      i += hit.name.length + 1;
    } else {
      plain += body[i];
      i += 1;
    }
  }
  if (plain) out.push({ text: plain });
  return out;
}
