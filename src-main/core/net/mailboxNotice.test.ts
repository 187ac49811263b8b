import { afterEach, describe, expect, it } from 'vitest';
import { encodeLength } from './frameStream';
import { PROTOCOL_IDS } from './limits';
import { MailboxRequest, MailboxResponse } from './proto/mailbox.generated';
import {
  befriend,
  envelopeId,
  makePeer,
  makeRawNode,
  rawExchange,
  waitFor,
  type TestPeer,
} from './testing/netHarness';

/**
 * A holder tells a connected recipient at once that it holds envelopes for it
 * (mailbox `notice`, issue 13), so "reachable through <name>" means handed
 * over now rather than at the recipient's next periodic fetch.
 */

let peers: TestPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.map((p) => p.node.stop()));
  peers = [];
});

describe('mailbox notice', () => {
  it('a deposit for a connected recipient makes one notice to it; none for an unconnected one', async () => {
    const notices: string[] = [];
    const [sender, holder, recipient, away] = await Promise.all([
      makePeer(),
      makePeer(),
      makePeer({ onHeldNotice: (from) => notices.push(from) }),
      makePeer(),
    ]);
    peers = [sender, holder, recipient, away];
    await Promise.all(peers.map((p) => p.node.start()));
    await befriend(sender, holder);
    await befriend(recipient, holder);
    await recipient.node.connect(holder.id);
    await waitFor(() => holder.node.isConnected(recipient.id), 5_000, 'recipient connected to the holder');

    // Three deposits in a burst (in flight together, so a loaded machine's
    // round trips cannot spread them past the 50 ms gathering window): one notice.
    const statuses = await Promise.all(
      [0, 1, 2].map((i) =>
        sender.node.services.mailbox.deposit(holder.id, {
          recipient: recipient.id,
          envelopeId: envelopeId(),
          payload: new Uint8Array(32).fill(i),
          ttlSeconds: 60,
        }),
      ),
    );
    expect(statuses).toEqual(['stored', 'stored', 'stored']);
    await waitFor(() => notices.length > 0, 5_000, 'the notice');
    await new Promise((r) => setTimeout(r, 200));
    expect(notices).toEqual([holder.id]);

    // Held for a device that is not connected: nobody to tell.
    expect(
      await sender.node.services.mailbox.deposit(holder.id, {
        recipient: away.id,
        envelopeId: envelopeId(),
        payload: new Uint8Array(8),
        ttlSeconds: 60,
      }),
    ).toBe('stored');
    expect(holder.node.isConnected(away.id)).toBe(false);
  });

  it('refuses a notice meant for someone else, and never passes it on', async () => {
    const notices: string[] = [];
    const b = await makePeer({ onHeldNotice: (from) => notices.push(from) });
    peers = [b];
    await b.node.start();
    const raw = await makeRawNode();
    await raw.start();
    try {
      b.known.add(raw.peerId.toString());
      const request = MailboxRequest.encode({ version: 1, notice: { recipient: raw.peerId.toString() } });
      const prefix = encodeLength(request.length);
      const outcome = await rawExchange(
        raw,
        b.node,
        PROTOCOL_IDS.mailbox,
        new Uint8Array([...prefix, ...request]),
      );
      expect(outcome.kind).toBe('closed');
      if (outcome.kind !== 'closed') return;
      const response = MailboxResponse.decode(outcome.response.subarray(1));
      expect(response.status).toBe(MailboxResponse.Status.REJECTED);
      expect(notices).toEqual([]);
    } finally {
      await raw.stop();
    }
  });
});
