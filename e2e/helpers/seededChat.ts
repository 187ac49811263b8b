import type { Page } from '@playwright/test';
import { openUnlocked } from '../fixtures/seededShell';
import { seedProfile, type SeedMessage } from '../fixtures/seedProfile';
import { DEFAULT_SHELL_ENV, expect, type StartOptions, type WebShell } from '../fixtures/webShell';

/** Ada's side of the seeded DM that most single-window specs start from. */
export const SEEDED_SELF = 'Ada Lovelace';
export const SEEDED_CONTACT = 'Bob Stone';

export interface SeededChatOptions {
  /** The DM's messages ('me' or SEEDED_CONTACT as `from`). */
  messages: SeedMessage[];
  /** Networking on, on loopback only: the composer and its buttons are there (they are not offline). */
  online?: boolean;
  /** Disappearing messages in the DM. */
  disappearAfterMs?: number;
  /** Extra shell environment. */
  env?: Record<string, string>;
}

/**
 * A web shell on a profile seeded with one DM between Ada Lovelace and Bob
 * Stone, unlocked, with the DM open: the setup emoji, keyboard, formatting,
 * countdown and time specs shared as copies.
 */
export async function openSeededChat(
  page: Page,
  startShell: (options: StartOptions) => Promise<WebShell>,
  options: SeededChatOptions,
): Promise<WebShell> {
  const shell = await startShell({
    env: {
      ...DEFAULT_SHELL_ENV,
      ...(options.online ? { PARLEY_LISTEN: '/ip4/127.0.0.1/tcp/0' } : {}),
      ...options.env,
    },
    seedProfile: async (dir) => {
      await seedProfile(dir, {
        displayName: SEEDED_SELF,
        contacts: [SEEDED_CONTACT],
        conversations: [
          {
            kind: 'dm',
            with: SEEDED_CONTACT,
            messages: options.messages,
            ...(options.disappearAfterMs === undefined ? {} : { disappearAfterMs: options.disappearAfterMs }),
          },
        ],
      });
    },
  });
  await openUnlocked(page, shell);
  await page.getByTestId('conversation-row').first().click();
  await expect(page.getByTestId('chat-title')).toHaveText(SEEDED_CONTACT);
  return shell;
}
