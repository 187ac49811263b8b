import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type {
  ErrorPayload,
  EventName,
  Reply,
  RequestName,
  RequestParams,
  RequestResult,
} from '../../../../src-shared/contract';
import { createCore, type Core } from '../../core';
import type { NetworkOptions } from '../messagingHost';

/**
 * A whole core driven through the contract, as the shells drive it: a fresh
 * profile folder, a created profile, a node on 127.0.0.1 with fast retry
 * timings (or no network at all). The handler and wiring tests shared a copy
 * of this each; one place keeps their timings the same.
 */
export interface ContractCore {
  core: Core;
  /** Every event the core emitted, in order. */
  events: Array<{ name: EventName; payload: unknown }>;
  /** A request that must succeed: its value (a failure throws with its code). */
  call<N extends RequestName>(name: N, params: RequestParams<N>): Promise<RequestResult<N>>;
  /** A request that must fail: its error (params unchecked, to send what a broken client would). */
  fail<N extends RequestName>(name: N, params: unknown): Promise<ErrorPayload>;
  /** The reply as it is, params unchecked. */
  raw(name: RequestName, params: unknown): Promise<Reply<unknown>>;
}

const FAST_KDF = { memoryKiB: 1024, iterations: 1, parallelism: 1 };

/** Retry and timeout timings short enough for tests on loopback. */
export const TEST_TUNING: NonNullable<NetworkOptions['tuning']> = {
  node: { dialTimeoutMs: 1_000, dialGraceMs: 100, reconnect: { baseMs: 100, maxMs: 500 } },
  delivery: { backoff: { baseMs: 100, maxMs: 1_000, factor: 2 }, sendTimeoutMs: 5_000 },
  keyPackagePoolSize: 3,
};

export interface ContractCoreOptions {
  /** false: no node at all (messaging requests answer OFFLINE). Default true. */
  network?: boolean;
  /** Replaces TEST_TUNING's parts it names. */
  tuning?: NetworkOptions['tuning'];
  /** false: a new install with no profile yet (onboarding). Default true. */
  profile?: boolean;
}

/**
 * A maker of ContractCores for one test file: each is closed and its folder
 * deleted after each test (newest first). `label` names the temp folders.
 */
export function contractCores(
  label: string,
): (name: string, options?: ContractCoreOptions) => Promise<ContractCore> {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  return async (name, options = {}) => {
    const dir = mkdtempSync(join(tmpdir(), `parley-${label}-${name}-`));
    const core = createCore({
      profileDir: dir,
      shell: 'cli',
      version: 't',
      kdfCost: FAST_KDF,
      ...(options.network === false
        ? {}
        : {
            network: {
              listen: ['/ip4/127.0.0.1/tcp/0'],
              mdns: false,
              tuning: { ...TEST_TUNING, ...options.tuning },
            },
          }),
    });
    cleanup.push(async () => {
      await core.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const events: ContractCore['events'] = [];
    core.onEvent((n, payload) => events.push({ name: n, payload }));
    const raw = (n: RequestName, params: unknown) => core.dispatch(n, params as never);
    const call = async <N extends RequestName>(n: N, params: RequestParams<N>): Promise<RequestResult<N>> => {
      const reply = await core.dispatch(n, params);
      if (!reply.ok) throw new Error(`${n}: ${reply.error.code} ${reply.error.message}`);
      return reply.value as RequestResult<N>;
    };
    const fail = async <N extends RequestName>(n: N, params: unknown): Promise<ErrorPayload> => {
      const reply = await core.dispatch(n, params as RequestParams<N>);
      if (reply.ok) throw new Error(`${n} should have failed`);
      return reply.error;
    };
    if (options.profile !== false) {
      await call('profile.create', { displayName: name, passphrase: 'correct horse battery' });
      await core.idle();
    }
    return { core, events, call, fail, raw };
  };
}
