import { describe, expect, it } from 'vitest';
import { KeyedMutex } from './keyedMutex';

describe('KeyedMutex', () => {
  it('runs work for one key one at a time, other keys alongside, and survives failures', async () => {
    const m = new KeyedMutex();
    const log: string[] = [];
    const step = (key: string, name: string, ms: number, fail = false) =>
      m.run(key, async () => {
        log.push(`${name}+`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`${name}-`);
        if (fail) throw new Error('boom');
        return name;
      });
    const results = await Promise.allSettled([
      step('a', 'a1', 20, true),
      step('a', 'a2', 1),
      step('b', 'b1', 5),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(log.indexOf('a1-')).toBeLessThan(log.indexOf('a2+'));
    expect(log.indexOf('b1+')).toBeLessThan(log.indexOf('a1-'));
  });
});
