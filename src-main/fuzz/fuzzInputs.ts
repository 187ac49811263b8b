import fc from 'fast-check';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FuzzTarget } from './fuzzTargets';

/**
 * What the fuzzer feeds a target: random bytes (or text), the target's seeds
 * and the corpus files kept in ./corpus/<target>/ (inputs that once mattered:
 * every crash found is added there, so it is replayed on every run), each
 * mutated the way a hostile peer or a damaged disk would: bits flipped, cut
 * short, grown, bytes inserted, two inputs spliced.
 */

export const CORPUS_DIR = fileURLToPath(new URL('./corpus/', import.meta.url));

/** The corpus inputs of one target (binary files, any names). */
export function corpus(target: string): Uint8Array[] {
  const dir = join(CORPUS_DIR, target);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((f) => new Uint8Array(readFileSync(join(dir, f))));
}

type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'cut'; at: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'set'; at: number; value: number };

function mutate(base: Uint8Array, mutations: Mutation[], other: Uint8Array | null): Uint8Array {
  let out = Uint8Array.from(base);
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % (out.length + 1);
    if (m.op === 'flip' && at < out.length) out[at] = (out[at] ?? 0) ^ (1 << m.bit);
    else if (m.op === 'set' && at < out.length) out[at] = m.value;
    else if (m.op === 'cut') out = out.subarray(0, at);
    else if (m.op === 'insert')
      out = Uint8Array.from([...out.subarray(0, at), ...m.bytes, ...out.subarray(at)]);
  }
  if (other !== null && other.length > 0) {
    // Splice: the head of this input with the tail of another.
    const cut = Math.floor(out.length / 2);
    out = Uint8Array.from([...out.subarray(0, cut), ...other.subarray(Math.floor(other.length / 2))]);
  }
  return out;
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 16 }) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.constantFrom(0, 0x7f, 0x80, 0xff) }),
);

/** Inputs for one target: a third fresh random, two thirds mutated seeds and corpus entries. */
export function inputsFor(target: FuzzTarget): fc.Arbitrary<Uint8Array> {
  const bases = [...target.seeds(), ...corpus(target.name)];
  const random =
    target.kind === 'text'
      ? fc
          .oneof(fc.string({ maxLength: 512 }), fc.string({ unit: 'binary', maxLength: 512 }))
          .map((s) => new Uint8Array(Buffer.from(s, 'utf8')))
      : fc.uint8Array({ maxLength: 2048 });
  if (bases.length === 0) return random;
  const mutated = fc
    .tuple(
      fc.constantFrom(...bases),
      fc.array(mutation, { minLength: 1, maxLength: 6 }),
      fc.option(fc.constantFrom(...bases), { freq: 4 }),
    )
    .map(([base, mutations, other]) => mutate(base, mutations, other));
  return fc.oneof({ arbitrary: random, weight: 1 }, { arbitrary: mutated, weight: 2 });
}
