import { describe, expect, it } from 'vitest';
import { staticGraph } from '../../testing/staticImports';

/**
 * Creating or unlocking a profile loads the profile layer, not the whole
 * store and contract (issue 16: after the restructure profileService.ts
 * reached 100 modules, 348 KB of source, against 42 before, and the store
 * bench's unlocking process grew by 3–6 MB of RSS). The repositories load
 * only for a linked device's first rows (`import()` in create), and the
 * passphrase policy is imported alone, not through the contract's index.
 */
describe('the profile layer loads little', () => {
  const { files } = staticGraph('src-main/core/profile/profileService.ts');
  const chains = (pattern: RegExp): string[] =>
    [...files]
      .filter(([path]) => pattern.test(path))
      .map(([path, chain]) => `${path} ← ${chain.join(' ← ')}`);

  it('does not load every repository, nor any repository beyond identity and settings', () => {
    expect(chains(/store\/profileRepositories\.ts$/)).toEqual([]);
    const repositories = [...files.keys()].filter((p) => p.includes('store/repositories/')).sort();
    expect(repositories).toEqual([
      'src-main/core/store/repositories/identityRepository.ts',
      'src-main/core/store/repositories/settingsRepository.ts',
    ]);
  });

  it("does not load the contract's schemas", () => {
    expect(chains(/src-shared\/contract\/(index|requests|areas\/)/)).toEqual([]);
  });
});
