import { mkdirSync } from 'node:fs';
import type { MessageView, Reply } from '../../../src-shared/contract';
import { silentLogger } from '../../core/util/logger';
import { controlSocketPath, startControlServer, type ControlServer } from '../control/controlServer';

/**
 * A stand-in for `parley node` for CLI tests: the real control socket and
 * frames, answered by a scripted `dispatch`, so a test can put the node in a
 * state that is slow to reach with real peers (a message that failed, one
 * held by a contact, a device replaced by a restore).
 */
export interface FakeNode {
  server: ControlServer;
  /** Every request the CLI made, in order. */
  calls: { name: string; params: unknown }[];
  close(): Promise<void>;
}

export type FakeAnswers = Record<string, (params: Record<string, unknown>) => unknown>;

export async function startFakeNode(profileDir: string, answers: FakeAnswers): Promise<FakeNode> {
  mkdirSync(profileDir, { recursive: true, mode: 0o700 });
  const calls: FakeNode['calls'] = [];
  const server = await startControlServer({
    path: controlSocketPath(profileDir),
    logger: silentLogger,
    dispatch: async (name, params): Promise<Reply<unknown>> => {
      calls.push({ name: String(name), params });
      const answer = answers[String(name)];
      if (!answer)
        return {
          ok: false,
          error: { code: 'UNKNOWN_REQUEST', message: `Unknown request "${String(name)}".` },
        };
      try {
        return { ok: true, value: answer((params ?? {}) as Record<string, unknown>) };
      } catch (err) {
        return { ok: false, error: { code: 'INVALID_STATE', message: (err as Error).message } };
      }
    },
  });
  return { server, calls, close: () => server.close() };
}

/** A message as the node shows it, with only what a test cares about to fill in. */
export function messageView(fields: Partial<MessageView> & Pick<MessageView, 'id' | 'body'>): MessageView {
  return {
    conversationId: 7,
    uid: `m${fields.id}`,
    sender: { key: 'aa', name: 'Ada', self: true },
    kind: 'text',
    event: null,
    replyToUid: null,
    sentAt: new Date(2026, 11, 5, 18, 6).getTime(),
    editedAt: null,
    deletedAt: null,
    expiresAt: null,
    state: 'pending',
    heldBy: null,
    hasFile: false,
    ...fields,
  };
}
