import { SearchResult, type SearchHit } from '../../../src-shared/contract';
import { createCore } from '../../core/core';
import { ParleyError } from '../../core/errors';
import { parseSearchQuery } from '../../core/search/searchQuery';
import { MAX_LIMIT, SearchRepository } from '../../core/search/searchRepository';
import type { CommandSpec } from '../commandSpec';
import { EXIT_OK, EXIT_USAGE, UsageError } from '../cliError';
import { runningNode } from '../control/runningNode';
import { cliCoreOptions } from '../coreOptions';
import { defaultProfileDir } from '../defaultProfileDir';
import type { CliIo } from '../io';
import { PASSPHRASE_ENV } from '../passphraseInput';
import { profileOption } from '../profileOption';
import { unlockHere } from '../unlockHere';

export const searchCommand: CommandSpec = {
  name: 'search',
  summary: 'Search the messages of a profile',
  details: [
    'QUERY: words (all must match; accents and case do not matter), "a phrase", prefix*, -excluded,',
    'and filters: from:NAME (or from:me), in:CONVERSATION, before:DATE, after:DATE (YYYY-MM-DD, today,',
    'yesterday), has:file. Quote values with spaces: from:"Ada Lovelace". Put -- before a query that',
    'starts with "-". Prints one line per message, best match first, matched words in [brackets].',
    'A query that cannot be run as written (an unknown date, an unknown filter) is refused (exit 2).',
    'When `parley node` runs on the profile, the search goes through it; otherwise the profile is',
    `unlocked here, with the passphrase from ${PASSPHRASE_ENV} or asked for in the terminal.`,
  ].join('\n'),
  options: [
    profileOption,
    {
      name: 'limit',
      type: 'string',
      value: 'N',
      description: `most messages to show, 1 to ${MAX_LIMIT} (default 30)`,
    },
    {
      name: 'json',
      type: 'boolean',
      description: 'print {"hits": [...], "problems": [...]} as JSON (exit 2 with problems)',
    },
  ],
  positionals: {
    name: 'QUERY',
    description: 'what to search for (several words are joined)',
    required: true,
  },
  async run(values, io, positionals) {
    const limit = values.limit === undefined ? undefined : Number(values.limit);
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= MAX_LIMIT)) {
      throw new UsageError(`--limit must be a whole number from 1 to ${MAX_LIMIT}.`);
    }
    const text = positionals.join(' ');
    const profileDir = typeof values.profile === 'string' ? values.profile : defaultProfileDir(io.env);
    const result = await search(profileDir, io, text, limit);
    // A filter the search had to drop would show more (or other) messages than asked for: refuse
    // rather than print them with exit 0 (issue #17 item 22). --json says which problems, exit 2 too.
    if (values.json === true) {
      io.stdout(
        `${JSON.stringify(result.problems.length > 0 ? { hits: [], problems: result.problems } : result, null, 2)}\n`,
      );
      return result.problems.length > 0 ? EXIT_USAGE : EXIT_OK;
    }
    if (result.problems.length > 0) {
      const [first, ...rest] = result.problems.map(printable);
      for (const problem of rest) io.stderr(`parley search: ${problem}\n`);
      throw new UsageError(first ?? '');
    }
    if (result.hits.length === 0) io.stdout('No messages match.\n');
    else for (const hit of result.hits) io.stdout(`${formatHit(hit)}\n`);
    return EXIT_OK;
  },
};

/** Through the node that holds the profile when one runs; otherwise here, after unlocking. */
async function search(
  profileDir: string,
  io: CliIo,
  text: string,
  limit: number | undefined,
): Promise<SearchResult> {
  const node = await runningNode(profileDir);
  if (node) {
    try {
      const reply = await node.request('search.query', { text, ...(limit !== undefined ? { limit } : {}) });
      if (!reply.ok) throw new ParleyError(reply.error.code, reply.error.message);
      const parsed = SearchResult.safeParse(reply.value);
      if (!parsed.success)
        throw new ParleyError('INTERNAL', 'The node answered the search in an unexpected shape.');
      return parsed.data;
    } finally {
      node.close();
    }
  }
  const core = createCore(cliCoreOptions(profileDir, 'cli', io));
  try {
    await unlockHere(core, io, 'create one with "parley init".');
    return new SearchRepository(core.profile.database()).search(parseSearchQuery(text), {
      ...(limit !== undefined ? { limit } : {}),
    });
  } finally {
    await core.close();
  }
}

/** `2024-03-01 14:05  Team Rocket  Ada: the [cafe] on Main St` (local time). */
export function formatHit(hit: SearchHit): string {
  const d = new Date(hit.sentAt);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const when = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return `${when}  ${printable(hit.conversationName)}  ${printable(hit.senderName)}: ${bracketed(hit)}`;
}

/** The snippet with its highlights in brackets. */
export function bracketed(hit: Pick<SearchHit, 'snippet' | 'highlights'>): string {
  // `printable` keeps every UTF-16 unit in place, so the highlight offsets still hold.
  const text = printable(hit.snippet);
  let out = '';
  let at = 0;
  for (const [start, end] of [...hit.highlights].sort((a, b) => a[0] - b[0])) {
    if (start < at || end > text.length || start >= end) continue;
    out += `${text.slice(at, start)}[${text.slice(start, end)}]`;
    at = end;
  }
  return out + text.slice(at);
}

/**
 * Message text goes to a terminal: control characters (escape sequences could
 * rewrite the screen, newlines would break the one-line format) and bidi
 * overrides (they reorder the line) become spaces, one for one, so highlight
 * offsets still hold (issue #14 item 12).
 */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g, ' ');
}
