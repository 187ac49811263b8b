import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { EventName, RequestName, RequestParams, RequestResult } from '../../src-shared/contract';
import { createCore, type Core } from '../../src-main/core/core';
import { round, summarize, timer, type BenchContext, type BenchResult } from '../harness';

/**
 * `link.can_send` (docs/protocol.md §13.13; budget ≤ 3 s, no history): Ann's
 * device E, in a DM and 10 groups with Bob (both online), links a new install
 * N through the contract, as the shells do: E shows a code (`devices.linkCode`),
 * N pastes it (`devices.joinStart`, production Argon2id cost for N's new
 * profile), both confirm the same short code at once (the bench is the user),
 * E grants, N makes its profile and starts; E adds N to every conversation
 * (§13.6 own-device adds) and N joins each by Welcome. The clock starts at
 * the paste and stops when E has stored N's first message, sent in the DM as
 * soon as N can send there. Real cores, real nodes on 127.0.0.1, production
 * timings; the history is the empty one of a profile with no messages.
 *
 * Also: `link.grant_done` (the paste → N's profile made from the grant:
 * joinProgress 'done'), `link.joined_all` (the paste → N is in all 11
 * conversations, waited for up to 90 s), `link.first_send_ok` (the paste → N's send call returned).
 * Bob's node serves KeyPackages with the bench tuning `keyPackagePerPeer`
 * (11 conversations need 11 of his; the default serves 8, then one per 30 s).
 *
 * N must be able to go online for `link.can_send`: until §13.6's linked
 * device runs (issue 18 part a), N's start is refused and only
 * `link.grant_done` is measured (`link.can_send_measured` = 0 says so).
 */

const GROUPS = 10;
const ROUNDS = Number(process.env.PARLEY_BENCH_LINK_ROUNDS ?? 3);
const PASS = 'bench link passphrase 1';
const FAST_KDF = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
/** How long N gets to become able to send before the round counts it as not measurable. */
const CAN_SEND_LIMIT_MS = 30_000;
/** How long N gets to be in all 11 conversations (an add waiting for its accept window takes 60 s). */
const JOINED_ALL_LIMIT_MS = 90_000;

interface BenchCore {
  core: Core;
  events: Array<{ name: EventName; payload: unknown }>;
  call<N extends RequestName>(name: N, params: RequestParams<N>): Promise<RequestResult<N>>;
}

function makeCore(
  ctx: BenchContext,
  name: string,
  options: { fastKdf: boolean; keyPackages?: number },
): BenchCore {
  const core = createCore({
    profileDir: mkdtempSync(join(ctx.tmpDir, `link-${name}-`)),
    shell: 'cli',
    version: 'bench',
    ...(options.fastKdf ? { kdfCost: FAST_KDF } : {}),
    network: {
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: false,
      ...(options.keyPackages
        ? { tuning: { node: { keyPackagePerPeer: { capacity: options.keyPackages, refillPerSecond: 1 } } } }
        : {}),
    },
  });
  ctx.defer(() => core.close());
  const events: BenchCore['events'] = [];
  core.onEvent((n, payload) => events.push({ name: n, payload }));
  return {
    core,
    events,
    async call(n, params) {
      const reply = await core.dispatch(n, params);
      if (!reply.ok) throw new Error(`${n}: ${reply.error.code} ${reply.error.message}`);
      return reply.value as RequestResult<typeof n>;
    },
  };
}

async function until(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const lastState = (c: BenchCore, name: EventName): string | undefined =>
  (c.events.filter((x) => x.name === name).at(-1)?.payload as { state?: string } | undefined)?.state;

interface Round {
  grantDone: number;
  joinedAll: number | null;
  firstSendOk: number | null;
  canSend: number | null;
}

async function linkRound(ctx: BenchContext, k: number): Promise<Round> {
  const e = makeCore(ctx, `ann${k}`, { fastKdf: true });
  const bob = makeCore(ctx, `bob${k}`, { fastKdf: true, keyPackages: GROUPS + 10 });
  await e.call('profile.create', { displayName: 'Ann', passphrase: PASS });
  await bob.call('profile.create', { displayName: 'Bob', passphrase: PASS });
  const invite = await e.call('contacts.createInvite', {});
  await bob.call('contacts.acceptInvite', { invite: invite.link });
  await until(() => e.core.store().conversations.list({}).length === 1, 20_000, 'the DM at Ann');
  const dmAtE = e.core.store().conversations.list({})[0]!.id;
  const bobId = e.core.store().contacts.list()[0]!.id;
  for (let g = 0; g < GROUPS; g++)
    await e.call('conversations.createGroup', { name: `Group ${g}`, contactIds: [bobId] });
  await until(
    () => bob.core.store().conversations.list({}).length === GROUPS + 1,
    60_000,
    'Bob in every group',
  );

  // N: a new install, production Argon2id for its new profile.
  const n = makeCore(ctx, `laptop${k}`, { fastKdf: false });
  const shown = await e.call('devices.linkCode', {});
  const t = timer();
  await n.call('devices.joinStart', { code: shown.code ?? '', passphrase: PASS, deviceName: 'Laptop' });
  await until(() => lastState(n, 'devices.joinProgress') === 'sas', 20_000, 'N shows the short code');
  await until(() => lastState(e, 'devices.linkProgress') === 'sas', 20_000, 'E shows the short code');
  await e.call('devices.confirmSas', { match: true });
  await n.call('devices.joinConfirmSas', { match: true, withFiles: false });
  await until(() => lastState(n, 'devices.joinProgress') === 'done', 30_000, 'N is linked');
  const grantDone = t();

  // N can send once it runs and holds the DM's group state.
  const text = `first from the laptop ${k}`;
  let joinedAll: number | null = null;
  let firstSendOk: number | null = null;
  try {
    await until(
      async () => {
        const m = await n.core.messaging.runningOrNull();
        if (!m) {
          if (n.core.messaging.problem() !== null)
            throw new Error(`N cannot go online: ${n.core.messaging.problem()}`);
          return false;
        }
        const dm = n.core
          .store()
          .conversations.list({})
          .find((c) => c.kind === 'dm');
        if (!dm) return false;
        const reply = await n.core.dispatch('messages.send', { conversationId: dm.id, text });
        return reply.ok;
      },
      CAN_SEND_LIMIT_MS,
      'N can send in the DM',
    );
    firstSendOk = t();
  } catch (err) {
    ctx.log(`link: round ${k}: ${err instanceof Error ? err.message : String(err)}`);
    return { grantDone, joinedAll, firstSendOk, canSend: null };
  }
  await until(
    () =>
      e.core
        .store()
        .messages.page(dmAtE, { latest: true })
        .messages.some((m) => m.body === text),
    30_000,
    "E stores N's first message",
  );
  const canSend = t();
  await until(
    async () => {
      const m = await n.core.messaging.runningOrNull();
      const all = n.core.store().conversations.list({});
      return m !== null && all.filter((c) => m.service.groups.state(c.id) != null).length >= GROUPS + 1;
    },
    JOINED_ALL_LIMIT_MS,
    'N in every conversation',
  ).then(
    () => (joinedAll = t()),
    async () => {
      const m = await n.core.messaging.runningOrNull();
      const all = n.core.store().conversations.list({});
      const joined = all.filter((c) => m?.service.groups.state(c.id) != null).length;
      ctx.log(
        `link: round ${k}: N joined ${joined} of ${all.length} listed conversations in ${JOINED_ALL_LIMIT_MS / 1000} s`,
      );
    },
  );
  return { grantDone, joinedAll, firstSendOk, canSend };
}

/** The `link` part of bench/devices.bench.ts. */
export async function linkBench(ctx: BenchContext): Promise<BenchResult[]> {
  const rounds: Round[] = [];
  for (let k = 0; k < ROUNDS; k++) {
    const r = await linkRound(ctx, k);
    ctx.log(
      `link: round ${k}: grant ${round(r.grantDone)} ms, can send ${r.canSend === null ? '—' : round(r.canSend)} ms`,
    );
    rounds.push(r);
  }
  const some = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null);
  const canSend = some(rounds.map((r) => r.canSend));
  const joined = some(rounds.map((r) => r.joinedAll));
  const sendOk = some(rounds.map((r) => r.firstSendOk));
  return [
    ...(canSend.length > 0
      ? summarize(
          'link.can_send',
          canSend.map((ms) => ms / 1000),
          ['p50', 'p95'],
          's',
        )
      : []),
    { metric: 'link.can_send_measured', value: canSend.length, unit: 'rounds' },
    ...summarize(
      'link.grant_done_ms',
      rounds.map((r) => r.grantDone),
      ['p50', 'p95'],
    ),
    ...(sendOk.length > 0 ? summarize('link.first_send_ok_ms', sendOk, ['p50', 'p95']) : []),
    ...(joined.length > 0 ? summarize('link.joined_all_ms', joined, ['p50', 'p95']) : []),
    { metric: 'link.conversations', value: GROUPS + 1, unit: 'conversations' },
    { metric: 'link.rounds', value: ROUNDS, unit: 'rounds' },
  ];
}
