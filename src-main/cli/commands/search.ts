import { createCore } from '../../core/core';
import { parseSearchQuery } from '../../core/search/searchQuery';
import { MAX_LIMIT, SearchRepository, type SearchHit } from '../../core/search/searchRepository';
import type { CommandSpec } from '../commandSpec';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../cliError';
import { cliCoreOptions } from '../coreOptions';
import { defaultProfileDir } from '../defaultProfileDir';
import { PASSPHRASE_ENV, readPassphrase } from '../passphraseInput';
import { profileOption } from '../profileOption';

export const searchCommand: CommandSpec = {
  name: 'search',
  summary: 'Search the messages of a profile',
  details: [
    'QUERY: words (all must match; accents and case do not matter), "a phrase", prefix*, -excluded,',
    'and filters: from:NAME (or from:me), in:CONVERSATION, before:DATE, after:DATE (YYYY-MM-DD, today,',
    'yesterday), has:file. Quote values with spaces: from:"Ada Lovelace". Put -- before a query that',
    'starts with "-". Prints one line per message, best match first, matched words in [brackets].',
    `The passphrase comes from ${PASSPHRASE_ENV} or is asked for in the terminal.`,
  ].join('\n'),
  options: [
    profileOption,
    {
      name: 'limit',
      type: 'string',
      value: 'N',
      description: `most messages to show, 1 to ${MAX_LIMIT} (default 30)`,
    },
    { name: 'json', type: 'boolean', description: 'print {"hits": [...], "problems": [...]} as JSON' },
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
    const core = createCore(cliCoreOptions(profileDir, 'cli', io));
    try {
      const status = core.profile.status();
      if (status.state === 'none') {
        io.stderr(`parley: there is no profile in ${core.profile.dir}; create one with "parley init".\n`);
        return EXIT_FAILURE;
      }
      if (status.state === 'damaged') {
        io.stderr(`parley: ${status.problem}\n`);
        return EXIT_FAILURE;
      }
      const passphrase = await readPassphrase(io, { confirm: false });
      const unlocked = await core.dispatch('profile.unlock', { passphrase });
      if (!unlocked.ok) {
        io.stderr(`parley: ${unlocked.error.message}\n`);
        return EXIT_FAILURE;
      }
      // Until the contract has a search request, the CLI reads the core's database directly.
      const result = new SearchRepository(core.profile.database()).search(parseSearchQuery(text), {
        ...(limit !== undefined ? { limit } : {}),
      });
      for (const problem of result.problems) io.stderr(`parley search: ${printable(problem)}\n`);
      if (values.json === true) {
        io.stdout(`${JSON.stringify(result, null, 2)}\n`);
      } else if (result.hits.length === 0) {
        io.stdout('No messages match.\n');
      } else {
        for (const hit of result.hits) io.stdout(`${formatHit(hit)}\n`);
      }
      return EXIT_OK;
    } finally {
      await core.close();
    }
  },
};

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
 * overrides (they reorder the line) become spaces, one for one.
 */
function printable(text: string): string {
  // Bidi overrides and isolates too (issue #14 item 12): they would reorder the line.
  return text.replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g, ' ');
}
