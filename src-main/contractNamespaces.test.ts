import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { events } from '../src-shared/contract/events';
import { requests } from '../src-shared/contract/requests';

/**
 * Issue 16 item 5: one namespace per area file. Every request and event of the
 * contract is declared in src-shared/contract/areas/<namespace>.ts, and that
 * file declares nothing outside `<namespace>.`, so finding where `settings.set`
 * lives, or what the `presence.` area offers, means opening one file. The
 * composition tables (contract/requests.ts, events.ts) declare nothing themselves.
 */

const AREAS = join(__dirname, '..', 'src-shared', 'contract', 'areas');
const areaFiles = readdirSync(AREAS)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'table.ts')
  .sort();

type Table = Record<string, unknown>;

async function tablesOf(file: string): Promise<{ requests: Table[]; events: Table[]; other: string[] }> {
  const mod = (await import(join(AREAS, file))) as Record<string, unknown>;
  const area = basename(file, '.ts');
  const out = { requests: [] as Table[], events: [] as Table[], other: [] as string[] };
  for (const [name, value] of Object.entries(mod)) {
    if (name === `${area}Requests`) out.requests.push(value as Table);
    else if (name === `${area}Events`) out.events.push(value as Table);
    else if (/(Requests|Events)$/.test(name)) out.other.push(name);
  }
  return out;
}

/** The namespace of a channel name: the part before its first dot ("" when it has none). */
function namespaceOf(name: string): string {
  const dot = name.indexOf('.');
  return dot > 0 ? name.slice(0, dot) : '';
}

describe('contract areas: one namespace per file', () => {
  it('each area file declares requests and events of its own namespace only', async () => {
    const strays: string[] = [];
    for (const file of areaFiles) {
      const area = basename(file, '.ts');
      const { requests: rs, events: es, other } = await tablesOf(file);
      for (const name of other) strays.push(`${file}: table ${name} is not named after the file`);
      for (const table of [...rs, ...es]) {
        for (const name of Object.keys(table)) {
          if (namespaceOf(name) !== area) strays.push(`${file}: ${name}`);
        }
      }
    }
    expect(strays).toEqual([]);
  });

  it('every request and event of the contract comes from the area file of its namespace', async () => {
    const declared = { requests: new Map<string, string>(), events: new Map<string, string>() };
    const twice: string[] = [];
    for (const file of areaFiles) {
      const { requests: rs, events: es } = await tablesOf(file);
      for (const [kind, tables] of [
        ['requests', rs],
        ['events', es],
      ] as const) {
        for (const table of tables) {
          for (const name of Object.keys(table)) {
            if (declared[kind].has(name)) twice.push(`${name} in ${declared[kind].get(name)} and ${file}`);
            declared[kind].set(name, file);
          }
        }
      }
    }
    expect(twice).toEqual([]);
    // Declared outside any area file (in requests.ts or events.ts themselves): none.
    expect(Object.keys(requests).filter((n) => !declared.requests.has(n))).toEqual([]);
    expect(Object.keys(events).filter((n) => !declared.events.has(n))).toEqual([]);
    // Declared in an area file but left out of the composed tables: none.
    expect([...declared.requests.keys()].filter((n) => !Object.hasOwn(requests, n))).toEqual([]);
    expect([...declared.events.keys()].filter((n) => !Object.hasOwn(events, n))).toEqual([]);
  });
});
