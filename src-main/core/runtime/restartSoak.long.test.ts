import { describe, expect, it } from 'vitest';
import { DEFAULT_DELIVERY_OPTIONS } from '../delivery/deliveryService';
import { DEFAULT_BACKOFF } from '../net/backoff';
import { seededRandom } from '../util/seededRandom';
import { until, type MessagingPeer, peerPool } from './testing/messagingPeer';

/**
 * Issue 13's soak (`npm run test:long`): three contacts on 127.0.0.1 with the
 * production node and delivery timings and the app's `tcp/0` listen address;
 * 200 rounds in which one, two or all three of them restart at once, with
 * texts sent between every pair before, during and after. Checked: zero
 * lost, zero duplicated, each sender's texts in order, and every text
 * delivered within 5 s of both its sender and its recipient being up again.
 * Seeded (PARLEY_SOAK_SEED) so a failure can be replayed; bounded in rounds
 * and in time.
 */

const ROUNDS = Number(process.env['PARLEY_SOAK_ROUNDS'] ?? 200);
const SEED = Number(process.env['PARLEY_SOAK_SEED'] ?? 13);
const DELIVERY_BUDGET_MS = 5_000;
const peer = peerPool();

const production = {
  anyPort: true,
  node: { dialTimeoutMs: 5_000, dialGraceMs: 2_000, reconnect: DEFAULT_BACKOFF, addressRefreshMs: 5_000 },
  delivery: DEFAULT_DELIVERY_OPTIONS,
};

interface Sent {
  from: MessagingPeer;
  to: MessagingPeer;
  body: string;
  /** When the text was sent, or when the later of its two ends came back up, whichever is later. */
  due: number;
  deliveredAt: number | null;
}

describe('restart soak', () => {
  it(
    `${ROUNDS} rounds of random restarts of three peers with sends in between: none lost, none duplicated, each within 5 s`,
    async () => {
      const random = seededRandom(SEED);
      const people = [peer('Ann', production), peer('Bob', production), peer('Carl', production)];
      await Promise.all(people.map((p) => p.online()));
      for (const [a, b] of [
        [0, 1],
        [0, 2],
        [1, 2],
      ] as const) {
        const inviter = people[a] as MessagingPeer;
        const invitee = people[b] as MessagingPeer;
        await invitee.running().service.acceptInvite(inviter.running().service.createInvite());
        await until(() => inviter.dmWith(invitee) !== null, 30_000, 'DM joined');
      }
      const up = new Map<MessagingPeer, number>(people.map((p) => [p, Date.now()]));
      const sent: Sent[] = [];
      let counter = 0;
      const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;

      async function send(from: MessagingPeer): Promise<void> {
        const to = pick(people.filter((p) => p !== from));
        const body = `soak-${counter++}-${from.name}-${to.name}`;
        await from.running().service.sendText(from.dmWith(to) ?? -1, body);
        sent.push({ from, to, body, due: Date.now(), deliveredAt: null });
      }

      /** Marks what arrived; a text is due from the later of its sending and both ends being up. */
      function check(): boolean {
        const now = Date.now();
        let pending = 0;
        for (const s of sent) {
          if (s.deliveredAt !== null) continue;
          if (!s.to.m) {
            pending++;
            continue;
          }
          const dm = s.to.dmWith(s.from) ?? -1;
          const got = s.to.t.db
            .prepare('SELECT 1 FROM messages WHERE conversation_id = ? AND body = ?')
            .get(dm, s.body);
          if (got !== undefined) s.deliveredAt = now;
          else pending++;
        }
        return pending === 0;
      }

      const started = Date.now();
      for (let round = 0; round < ROUNDS; round++) {
        const restarting = people.filter(() => random() < 0.5);
        if (restarting.length === 0) restarting.push(pick(people));
        // Before: a text or two between peers that stay up.
        for (const p of people) if (random() < 0.3) await send(p);
        await Promise.all(restarting.map((p) => p.offline()));
        // During: those still up write to anyone, the restarting ones included.
        for (const p of people.filter((x) => x.m)) if (random() < 0.5) await send(p);
        await Promise.all(
          restarting.map(async (p) => {
            await p.online();
            up.set(p, Date.now());
          }),
        );
        // After: everyone writes a little.
        for (const p of people) if (random() < 0.5) await send(p);
        for (const s of sent) {
          if (s.deliveredAt === null) s.due = Math.max(s.due, up.get(s.from) ?? 0, up.get(s.to) ?? 0);
        }
        await until(check, 30_000, `round ${round}: everything delivered`);
        const late = sent.filter((s) => (s.deliveredAt ?? 0) - s.due > DELIVERY_BUDGET_MS);
        expect(
          late.map((s) => `${s.body}: ${(s.deliveredAt ?? 0) - s.due} ms`),
          `round ${round}`,
        ).toEqual([]);
      }
      const elapsed = Date.now() - started;

      // Exactly once and in order, per sender and recipient.
      for (const to of people) {
        for (const from of people.filter((p) => p !== to)) {
          const expected = sent.filter((s) => s.from === from && s.to === to).map((s) => s.body);
          const dm = to.dmWith(from) ?? -1;
          const got = to
            .messages(dm)
            .filter((m) => !m.outgoing && (m.body ?? '').startsWith('soak-'))
            .map((m) => m.body);
          expect(got, `${from.name} → ${to.name}`).toEqual(expected);
        }
      }
      const delays = sent.map((s) => (s.deliveredAt ?? 0) - s.due).sort((x, y) => x - y);
      console.info(
        `soak: ${ROUNDS} rounds, ${sent.length} texts in ${Math.round(elapsed / 1000)} s; delivery after both up: ` +
          `p50 ${delays[Math.floor(delays.length / 2)]} ms, max ${delays.at(-1)} ms`,
      );
    },
    25 * 60_000,
  );
});
