import { expect, type Browser, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { DEFAULT_SHELL_ENV, type StartOptions, type WebShell } from '../fixtures/webShell';

/**
 * Helpers for specs with several real peers, each a web shell with its own
 * profile listening on 127.0.0.1 only (tests never leave loopback).
 */

/** A shell environment that turns networking on, bound to loopback with an OS-chosen port. */
export const PEER_ENV: Record<string, string> = {
  ...DEFAULT_SHELL_ENV,
  PARLEY_LISTEN: '/ip4/127.0.0.1/tcp/0',
};
export const PEER_PASSPHRASE = 'quiet-lantern-orbit-47';
/** Delivery between local peers: bounded, but generous enough for a loaded 2-core machine. */
export const PEER_TIMEOUT = 30_000;

export interface ExtraPeer {
  page: Page;
  context: BrowserContext;
  /** CSP violations and uncaught errors seen in this page (the fixture guards only the main page). */
  problems: string[];
}

/** A page in its own browser context (separate storage), guarded like the fixture's main page. */
export async function openPeerPage(browser: Browser): Promise<ExtraPeer> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return { page, context, problems };
}

/**
 * Onboards a fresh profile in the shell and waits for the home screen.
 * `discoverable` answers the onboarding's "Discoverable on this network" (off unless asked).
 */
export async function createProfile(
  page: Page,
  shell: WebShell,
  name: string,
  options: { discoverable?: boolean } = {},
): Promise<void> {
  await page.goto(shell.url);
  await expect(page.getByTestId('onboarding-screen')).toBeVisible();
  await page.getByTestId('onboarding-display-name').fill(name);
  await page.getByTestId('onboarding-passphrase').fill(PEER_PASSPHRASE);
  await page.getByTestId('onboarding-confirm').fill(PEER_PASSPHRASE);
  if (options.discoverable) await page.getByTestId('onboarding-discoverable').check();
  await page.getByTestId('onboarding-submit').click();
  await expect(page.getByTestId('home-screen')).toBeVisible();
  await expect(page.getByTestId('home-display-name')).toHaveText(name);
}

/** Reads the invite link from the add-contact dialog and closes it again. */
export async function readInvite(page: Page): Promise<string> {
  await page.getByTestId('add-contact').click();
  const inviteText = page.getByTestId('invite-text');
  await expect(inviteText).toHaveValue(/parley:\/\/invite\//);
  const invite = await inviteText.inputValue();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Add contact' })).toHaveCount(0);
  return invite;
}

/**
 * Pastes an invite into the add-contact dialog; resolves once the new DM with
 * the inviter is open (the inviter is reachable, so this needs the network).
 */
export async function acceptInvite(page: Page, invite: string, inviterName: string): Promise<void> {
  await page.getByTestId('add-contact').click();
  await page.getByTestId('accept-invite-input').fill(invite);
  await page.getByTestId('accept-invite-submit').click();
  await expect(page.getByRole('dialog')).toHaveCount(0, { timeout: PEER_TIMEOUT });
  await expect(page.getByTestId('chat-title')).toHaveText(inviterName);
}

/** Opens a conversation from the home list by its title (it may still be on its way). */
export async function openConversation(page: Page, title: string): Promise<void> {
  const row = page.getByTestId('conversation-row').filter({ hasText: title });
  await expect(row).toBeVisible({ timeout: PEER_TIMEOUT });
  await row.click();
  await expect(page.getByTestId('chat-title')).toHaveText(title);
}

/** Types a message into the open chat and waits until it shows in the sender's own timeline. */
export async function sendMessage(page: Page, text: string): Promise<void> {
  const input = page.getByTestId('composer-input');
  await expect(input).toBeEnabled();
  await input.fill(text);
  await input.press('Enter');
  await expect(page.getByTestId('message-body').filter({ hasText: text })).toBeVisible();
}

/** Ada (the fixture's page) and Bob (a page of his own), each on a fresh shell, contacts of each other. */
export interface ConnectedPair {
  ada: Page;
  bob: Page;
  /** Bob's context and the CSP violations and page errors seen in his page. */
  bobPeer: ExtraPeer;
  adaShell: WebShell;
  bobShell: WebShell;
  /** The DM with Bob in Ada's list (on her list when this resolves). */
  bobRow: Locator;
}

/**
 * Two fresh peers on loopback: both onboard, Bob accepts Ada's invite (his DM
 * with Ada opens), and the DM has reached Ada's list: the start of the
 * two-peer specs, which each carried a copy.
 */
export async function connectTwoPeers(
  page: Page,
  browser: Browser,
  startShell: (options: StartOptions) => Promise<WebShell>,
): Promise<ConnectedPair> {
  const [adaShell, bobShell] = await Promise.all([
    startShell({ env: PEER_ENV }),
    startShell({ env: PEER_ENV }),
  ]);
  const bobPeer = await openPeerPage(browser);
  const ada = page;
  const bob = bobPeer.page;
  await createProfile(ada, adaShell, 'Ada');
  await createProfile(bob, bobShell, 'Bob');
  const invite = await readInvite(ada);
  await acceptInvite(bob, invite, 'Ada');
  const bobRow = ada.getByTestId('conversation-row').filter({ hasText: 'Bob' });
  await expect(bobRow).toBeVisible({ timeout: PEER_TIMEOUT });
  return { ada, bob, bobPeer, adaShell, bobShell, bobRow };
}
