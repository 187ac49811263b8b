import { describe, it } from 'vitest';
import { soak } from './testing/soak';

describe('soak', () => {
  it('two members exchange 1,000 messages, reloading every 10 (X-Wing): no fork, every message decrypts', async () => {
    await soak(1000, 'xwing');
  });

  it('the same with the classic suite 1', async () => {
    await soak(1000, 'classic');
  });
});
