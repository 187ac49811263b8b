import { VOCABULARY } from './storeWorkload';

/**
 * Deterministic chat-shaped text and people for the store bench: a Zipf
 * vocabulary with accented words (so the index's diacritic folding is
 * exercised), names, and the query helpers that match what was written.
 */

export type Random = () => number;

export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

export function bytes(random: Random, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(random() * 256);
  return out;
}

/** Real words with diacritics, placed among the medium-frequency ranks. */
export const ACCENTED = [
  'café',
  'naïve',
  'résumé',
  'über',
  'señor',
  'façade',
  'jalapeño',
  'crème',
  'brûlée',
  'fiancée',
  'déjà',
  'piñata',
  'smörgåsbord',
  'élan',
  'garçon',
  'mañana',
  'ångström',
  'zürich',
  'kraków',
  'dvořák',
  'coöperate',
  'rosé',
  'soirée',
  'entrée',
];
export const ACCENT_FOR: Record<string, string> = { a: 'á', e: 'é', i: 'ï', o: 'ô', u: 'ü', n: 'ñ', c: 'ç' };

/**
 * 20,000 distinct pronounceable words, roughly shortest first so the frequent
 * ranks get the short words, as in real language; 2% of them carry a diacritic.
 */
export function makeVocabulary(random: Random): string[] {
  const onsets = ['b', 'c', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'z'];
  const clusters = ['br', 'ch', 'st', 'tr', 'pl', 'gr', 'sh', 'th', 'kl', 'dr'];
  const vowels = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'ou', 'y'];
  const codas = ['', '', '', 'n', 'r', 's', 'l', 't', 'm', 'x', 'nd', 'rk', 'st'];
  const seen = new Set<string>(ACCENTED);
  const words: string[] = [];
  const target = VOCABULARY - ACCENTED.length;
  for (let attempts = 0; words.length < target; attempts++) {
    if (attempts > target * 20) throw new Error('vocabulary generator stuck');
    const syllables = 1 + Math.floor(random() ** 1.6 * 4);
    let word = '';
    for (let s = 0; s < syllables; s++) {
      word += (random() < 0.2 ? pick(random, clusters) : pick(random, onsets)) + pick(random, vowels);
      if (s === syllables - 1 || random() < 0.3) word += pick(random, codas);
    }
    if (seen.has(word)) continue;
    seen.add(word);
    words.push(word);
  }
  // Shorter words rank higher, loosely (a fuzzed length), so the top ranks mix 2- to 6-letter words.
  const sortKey = new Map(words.map((w) => [w, w.length + random() * 4]));
  words.sort((a, b) => (sortKey.get(a) ?? 0) - (sortKey.get(b) ?? 0));
  for (let i = 100; i < words.length; i++) {
    if (random() >= 0.02) continue;
    const word = words[i] ?? '';
    const at = [...word].findIndex((c) => c in ACCENT_FOR);
    if (at < 0) continue;
    const accented = word.slice(0, at) + (ACCENT_FOR[word[at] ?? ''] ?? '') + word.slice(at + 1);
    if (!seen.has(accented)) {
      seen.add(accented);
      words[i] = accented;
    }
  }
  ACCENTED.forEach((w, i) => words.splice(30 + Math.floor((i * 3000) / ACCENTED.length), 0, w));
  return words;
}

/** Draws indexes 0..n-1 with probability ∝ 1/(rank+1)^s (Zipf). */
export function zipf(random: Random, n: number, s: number): () => number {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let r = 0; r < n; r++) {
    total += 1 / (r + 1) ** s;
    cdf[r] = total;
  }
  return () => {
    const x = random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cdf[mid] ?? 0) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

// prettier-ignore
export const FIRST = [
  'Ada', 'Bob', 'Chen', 'Dara', 'Elif', 'Farid', 'Greta', 'Hiro', 'Ines', 'Jonas', 'Kofi', 'Lena', 'Mateo',
  'Nadia', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Vera', 'Wei', 'Ximena', 'Yusuf',
  'Zoé', 'Björn', 'Chloë', 'José', 'Łukasz',
];
// prettier-ignore
export const LAST = [
  'Lovelace', 'Okafor', 'Nakamura', 'Müller', 'García', 'Kowalski', 'Haddad', 'Silva', 'Novak', 'Jensen',
  'Dubois', 'Rossi', 'Andersen', 'Petrov', 'Kim',
];
// prettier-ignore
export const GROUP_ADJ = [
  'Silver', 'Quiet', 'North', 'Late', 'Blue', 'Paper', 'Sunday', 'Night', 'Field', 'Deck', 'Harbour', 'Lab',
];
// prettier-ignore
export const GROUP_NOUN = [
  'Club', 'Crew', 'Team', 'Circle', 'Desk', 'Watch', 'Garden', 'Kitchen', 'Station', 'Choir', 'Riders',
];

export interface Person {
  key: Buffer;
  /** null for the profile owner. */
  contactId: number | null;
  name: string;
}

export interface Conversation {
  id: number;
  kind: 'dm' | 'group';
  /** Search name: the group name, or the DM contact's name. */
  name: string;
  /** Indexes into people; 0 is me. */
  members: number[];
}

/** A message kept for building queries that are known to match. */
export interface Sample {
  conversation: number;
  sender: number;
  words: string[];
}

export function foldWord(word: string): string {
  return word
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\p{L}\p{N}]/gu, '');
}

export function quoteFilter(key: 'in' | 'from', value: string): string {
  return value.includes(' ') ? `${key}:"${value}"` : `${key}:${value}`;
}

// ---------------------------------------------------------------------------
// Build
