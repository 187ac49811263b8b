import { conversationScopeToken, senderScopeToken } from '../store/migrations/0005-search-scope';
import type { HitNames } from './hitNames';
import type { SearchQuery } from './searchQuery';
import type { SearchOptions } from './searchResult';
import type { Params, SearchStatements } from './searchStatements';

/**
 * What a search's filters select: in:/from:/conversationId resolved to
 * conversation ids and sender keys (small tables, read first), and the SQL
 * conditions and parameters every plan shares. Filter values are always bound
 * parameters, never SQL text.
 */

export interface Scope {
  conversations: number[] | null;
  senders: Buffer[] | null;
}

/** in:/from:/conversationId → conversation ids and sender keys; null when a filter matches nothing. */
export function resolveScope(
  statements: SearchStatements,
  names: HitNames,
  query: SearchQuery,
  options: SearchOptions,
  problems: string[],
): Scope | null {
  let conversations: number[] | null = null;
  if (query.in.length > 0) {
    const rows = statements
      .get(
        'conversations',
        `SELECT c.id AS id, c.kind AS kind, c.name AS name, k.local_name AS localName, k.display_name AS displayName
       FROM conversations c LEFT JOIN contacts k ON k.id = c.contact_id WHERE c.self_group = 0`,
      )
      .all({}) as Array<{
      id: number;
      kind: string;
      name: string | null;
      localName: string | null;
      displayName: string | null;
    }>;
    const ids = new Set<number>();
    for (const value of query.in) {
      const needle = fold(value);
      const found = rows.filter((r) =>
        (r.kind === 'group' ? [r.name] : [r.localName, r.displayName, r.name]).some(
          (n) => n !== null && fold(n).includes(needle),
        ),
      );
      if (found.length === 0) problems.push(`No conversation matches in:"${value}".`);
      for (const r of found) ids.add(r.id);
    }
    conversations = [...ids];
  }
  if (options.conversationId !== undefined) {
    const only = options.conversationId;
    conversations = conversations === null ? [only] : conversations.filter((id) => id === only);
  }
  if (conversations !== null && conversations.length === 0) return null;

  let senders: Buffer[] | null = null;
  if (query.from.length > 0) {
    const me = names.identity();
    const contacts = statements
      .get(
        'contacts',
        'SELECT identity_key AS key, local_name AS localName, display_name AS displayName FROM contacts',
      )
      .all({}) as Array<{ key: Buffer; localName: string | null; displayName: string }>;
    const keys = new Map<string, Buffer>();
    for (const value of query.from) {
      const needle = fold(value);
      let found = 0;
      if (me && (needle === 'me' || fold(me.name).includes(needle))) {
        keys.set(me.key.toString('hex'), me.key);
        found++;
      }
      // "me" is a keyword: it must not also pick every contact with "me" in the name.
      if (needle === 'me') continue;
      for (const c of contacts) {
        if ([c.localName, c.displayName].some((n) => n !== null && fold(n).includes(needle))) {
          keys.set(c.key.toString('hex'), c.key);
          found++;
        }
      }
      if (found === 0) problems.push(`No contact matches from:"${value}".`);
    }
    senders = [...keys.values()];
    if (senders.length === 0) return null;
  }
  return { conversations, senders };
}

/**
 * What every hit is: a live, visible message. The index holds only live
 * bodies (migration 0003 triggers); these checks also keep out system rows
 * and disappearing messages past their time that the sweeper has not deleted yet.
 */
export function liveConditions(a: string): string[] {
  return [
    `${a}.body IS NOT NULL`,
    `${a}.deleted_at IS NULL`,
    `${a}.kind != 'system'`,
    `(${a}.expires_at IS NULL OR ${a}.expires_at > @now)`,
  ];
}

/** The user's filters on the message alias `a`, except those `covered` by a scope set; `key` names the shape. */
export function filterConditions(
  a: string,
  query: SearchQuery,
  scope: Scope,
  key: string[],
  covered: { conversations?: boolean; senders?: boolean; dates?: boolean } = {},
): string[] {
  const where: string[] = [];
  const add = (code: string, condition: string): void => {
    where.push(condition);
    key.push(code);
  };
  if (scope.conversations && !covered.conversations) {
    add('c', `${a}.conversation_id IN (SELECT value FROM json_each(@conversations))`);
  }
  if (scope.senders && !covered.senders) {
    add('s', `${a}.sender_key IN (SELECT unhex(value) FROM json_each(@senders))`);
  }
  if (query.before !== undefined && !covered.dates) add('b', `${a}.sent_at < @before`);
  if (query.after !== undefined && !covered.dates) add('a', `${a}.sent_at > @after`);
  if (query.hasFile) add('f', `${a}.has_file = 1`);
  return where;
}

/** Every filter value as a named parameter (better-sqlite3 ignores the ones a statement does not use). */
export function filterParams(query: SearchQuery, scope: Scope, now: number): Params {
  return {
    now,
    ...(scope.conversations ? { conversations: JSON.stringify(scope.conversations) } : {}),
    ...(scope.senders ? { senders: JSON.stringify(scope.senders.map((k) => k.toString('hex'))) } : {}),
    ...(query.before !== undefined ? { before: query.before } : {}),
    ...(query.after !== undefined ? { after: query.after } : {}),
  };
}

/** Case- and accent-insensitive form for matching names (the index folds bodies the same way). */
function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** At most this many scope tokens join a MATCH; larger sets are filtered on the rows. */
const MAX_SCOPE_TOKENS = 64;

/** `(c1 OR c2)`-style FTS5 expressions for small conversation and sender sets. */
export function scopeTokens(scope: Scope): { conversations: string | null; senders: string | null } {
  const list = (tokens: string[] | null): string | null =>
    tokens && tokens.length > 0 && tokens.length <= MAX_SCOPE_TOKENS
      ? tokens.map((t) => `"${t}"`).join(' OR ')
      : null;
  return {
    conversations: list(scope.conversations?.map(conversationScopeToken) ?? null),
    senders: list(scope.senders?.map(senderScopeToken) ?? null),
  };
}
