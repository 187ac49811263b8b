import { expect, test } from './fixtures/webShell';
import { createProfile, openPeerPage, PEER_ENV, PEER_TIMEOUT } from './helpers/peers';
import { checkScreen, checkScreenSizes, expectNoAxeViolations } from './helpers/screens';

test('two peers: invite, add, message both ways, delivered', async ({ page, browser, startShell }) => {
  test.setTimeout(120_000);
  const [adaShell, bobShell] = await Promise.all([
    startShell({ env: PEER_ENV }),
    startShell({ env: PEER_ENV }),
  ]);

  // Bob gets his own browser context (separate storage), guarded like the main page.
  const { page: bob, context: bobContext, problems: bobProblems } = await openPeerPage(browser);

  const ada = page;
  await createProfile(ada, adaShell, 'Ada');
  await createProfile(bob, bobShell, 'Bob');

  // --- Ada's invite -----------------------------------------------------------
  const addButton = ada.getByTestId('add-contact');
  await addButton.click();
  const dialog = ada.getByRole('dialog', { name: 'Add contact' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toHaveAttribute('aria-modal', 'true');
  await expect(ada.getByTestId('accept-invite-input')).toBeFocused();
  const inviteText = ada.getByTestId('invite-text');
  await expect(inviteText).toHaveValue(/parley:\/\/invite\//);
  await expect(ada.getByRole('img', { name: 'Invite QR code' })).toBeVisible();
  const invite = await inviteText.inputValue();

  // Focus stays inside: Shift+Tab from the first control wraps to the last one.
  await ada.getByTestId('add-contact-dialog-close').focus();
  await ada.keyboard.press('Shift+Tab');
  await expect(ada.getByTestId('accept-invite-submit')).toBeFocused();
  await ada.keyboard.press('Tab');
  await expect(ada.getByTestId('add-contact-dialog-close')).toBeFocused();

  // A bad invite shows the core's message in the dialog.
  await ada.getByTestId('accept-invite-input').fill('not an invite');
  await ada.getByTestId('accept-invite-submit').click();
  await expect(ada.getByTestId('accept-invite-error')).not.toBeEmpty();
  await expect(dialog).toBeVisible();
  await ada.getByTestId('accept-invite-input').fill('');
  // Hovered primary buttons must keep their contrast too (the dark theme's hover once fell to 4.4:1).
  for (const colorScheme of ['light', 'dark'] as const) {
    await ada.emulateMedia({ colorScheme });
    await ada.getByTestId('accept-invite-submit').hover();
    await expectNoAxeViolations(ada, `add contact dialog, Add hovered (${colorScheme})`);
  }
  // The pointer rests on Add after the click: a hover colour is not what the screenshot is about.
  await ada.mouse.move(1, 1);

  await expectNoAxeViolations(ada, 'add contact dialog');
  await checkScreen(ada, 'add-contact');

  // Escape closes it and gives focus back to the button that opened it.
  await ada.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(addButton).toBeFocused();

  // --- Bob adds Ada -------------------------------------------------------------
  await bob.getByTestId('add-contact').click();
  await bob.getByTestId('accept-invite-input').fill(invite);
  await bob.getByTestId('accept-invite-submit').click();
  await expect(bob.getByRole('dialog')).toHaveCount(0, { timeout: PEER_TIMEOUT });
  await expect(bob.getByTestId('chat-title')).toHaveText('Ada');

  // --- Messages both ways -------------------------------------------------------------
  await expect(bob.getByTestId('composer-send')).toBeVisible();
  await bob.getByTestId('composer-input').fill('hello Ada');
  await bob.getByTestId('composer-input').press('Enter');
  await expect(bob.getByTestId('message-body')).toHaveText(['hello Ada']);

  const bobRow = ada.getByTestId('conversation-row').filter({ hasText: 'Bob' });
  await expect(bobRow).toBeVisible({ timeout: PEER_TIMEOUT });
  await expect(bobRow.getByTestId('conversation-preview')).toHaveText('hello Ada', { timeout: PEER_TIMEOUT });
  await bobRow.click();
  await expect(ada.getByTestId('chat-title')).toHaveText('Bob');
  await expect(ada.getByTestId('message-body')).toHaveText(['hello Ada']);
  await ada.getByTestId('composer-input').fill('hi Bob');
  await ada.getByTestId('composer-input').press('Enter');

  await expect(ada.getByTestId('message-body')).toHaveText(['hello Ada', 'hi Bob']);
  await expect(bob.getByTestId('message-body')).toHaveText(['hello Ada', 'hi Bob'], {
    timeout: PEER_TIMEOUT,
  });

  // The sender's ticks reach "delivered" (or further, once read) on both sides.
  const delivered = /^(delivered|read)$/;
  await expect(bob.getByTestId('message-state').first()).toHaveAttribute('data-state', delivered, {
    timeout: PEER_TIMEOUT,
  });
  await expect(ada.getByTestId('message-state').last()).toHaveAttribute('data-state', delivered, {
    timeout: PEER_TIMEOUT,
  });

  // --- Links in messages: a web link opens in a new window, an invite link opens Add contact ---
  const carol = 'parley://invite/AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8';
  await ada
    .getByTestId('composer-input')
    .fill(`the manual: https://example.org/engine — and Carol: ${carol}`);
  await ada.getByTestId('composer-input').press('Enter');
  const webLink = bob.getByTestId('message-link');
  await expect(webLink).toHaveText('https://example.org/engine', { timeout: PEER_TIMEOUT });
  await expect(webLink).toHaveAttribute('href', 'https://example.org/engine');
  await expect(webLink).toHaveAttribute('target', '_blank');
  await expect(webLink).toHaveAttribute('rel', 'noopener noreferrer');
  await checkScreenSizes(bob, 'chat-links');
  await bob.getByTestId('message-invite-link').click();
  // Filled in, explained, and nothing added until Bob chooses Add.
  await expect(bob.getByRole('dialog', { name: 'Add contact' })).toBeVisible();
  await expect(bob.getByTestId('accept-invite-input')).toHaveValue(carol);
  await expect(bob.getByTestId('invite-from-link')).toBeVisible();
  await checkScreenSizes(bob, 'add-contact-from-link');
  await bob.keyboard.press('Escape');
  await expect(bob.getByRole('dialog')).toHaveCount(0);
  await bob.getByTestId('add-contact').click();
  await expect(bob.getByTestId('accept-invite-input')).toHaveValue('');
  await bob.keyboard.press('Escape');

  // --- A group with Bob ---------------------------------------------------------------
  await ada.getByTestId('new-group').click();
  const groupDialog = ada.getByRole('dialog', { name: 'New group' });
  await expect(ada.getByTestId('new-group-name')).toBeFocused();
  await ada.getByTestId('new-group-submit').click();
  await expect(ada.getByTestId('new-group-error')).toHaveText('Enter a group name.');
  await ada.getByTestId('new-group-name').fill('Engines');
  await ada.getByRole('checkbox', { name: 'Bob' }).check();
  await ada.getByTestId('new-group-submit').click();
  await expect(groupDialog).toHaveCount(0, { timeout: PEER_TIMEOUT });
  await expect(ada.getByTestId('chat-title')).toHaveText('Engines');

  await bobContext.close();
  expect(bobProblems, 'CSP violations or uncaught errors in Bob’s page').toEqual([]);
});
