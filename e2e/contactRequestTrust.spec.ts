import { expect, test } from './fixtures/webShell';
import { checkScreenSizes } from './helpers/screens';
import {
  acceptInvite,
  createProfile,
  openPeerPage,
  PEER_ENV,
  PEER_TIMEOUT,
  readInvite,
} from './helpers/peers';

/**
 * Issue #14 item 2: a request is never shown under a contact's name unless
 * its device proves it. Bob knows Ada; a second person who also calls
 * herself "Ada" asks Bob from Nearby: Bob sees the request with a warning
 * that it is not the Ada in his contacts. mDNS stays inside the suite's
 * loopback-only namespace (fixtures/webShell.ts refuses otherwise).
 */

const MDNS_ENV = { ...PEER_ENV, PARLEY_MDNS: 'on' };

test('a request that uses a contact’s name is shown as someone else', async ({
  page,
  browser,
  startShell,
}) => {
  test.setTimeout(180_000);
  const [adaShell, bobShell, otherShell] = await Promise.all([
    startShell({ env: MDNS_ENV }),
    startShell({ env: MDNS_ENV }),
    startShell({ env: MDNS_ENV }),
  ]);
  const bob = page;
  const adaPeer = await openPeerPage(browser);
  const otherPeer = await openPeerPage(browser);
  // Bob and the other "Ada" choose to be discoverable (Nearby lists peers
  // only while one is): new profiles are not (issue 17 item 17).
  await createProfile(bob, bobShell, 'Bob', { discoverable: true });
  await createProfile(adaPeer.page, adaShell, 'Ada');
  await createProfile(otherPeer.page, otherShell, 'Ada', { discoverable: true });

  // Bob and the real Ada are contacts.
  await acceptInvite(bob, await readInvite(adaPeer.page), 'Ada');

  // The other "Ada" finds Bob nearby and asks.
  const other = otherPeer.page;
  await other.getByTestId('add-contact').click();
  const row = other.getByTestId('nearby-row').filter({ hasText: 'Bob' });
  await expect(row).toBeVisible({ timeout: PEER_TIMEOUT });
  await row.getByTestId('nearby-request').click();
  await other.getByTestId('nearby-send').click();
  await expect(other.getByTestId('nearby-error')).toHaveCount(0);
  await other.keyboard.press('Escape');

  const request = bob.getByTestId('contact-request');
  await expect(request).toBeVisible({ timeout: PEER_TIMEOUT });
  await expect(request.getByTestId('contact-request-name')).toHaveText('Ada');
  await expect(request.getByTestId('contact-request-warning')).toHaveText(
    'Not the Ada in your contacts: someone else using that name.',
  );
  await checkScreenSizes(bob, 'contact-request-namesake');

  for (const peer of [adaPeer, otherPeer])
    expect(peer.problems, 'CSP violations or uncaught errors in a peer page').toEqual([]);
});
