import { describe, expect, it } from 'vitest';
import { ParleyError } from '../errors';
import type { LogFields, Logger } from '../util/logger';
import { requestNames } from '../../../src-shared/contract';
import { createDispatcher, type Handlers } from './dispatcher';

const info = { name: 'Parley', version: '1', shell: 'web' as const, profileDir: '/p', timeLocale: null };

/** Every request answers OFFLINE unless given a handler here or in `overrides`. */
function handlers(overrides: Partial<Handlers> = {}): Handlers {
  const offline = (): never => {
    throw new ParleyError('OFFLINE', 'Networking is turned off in this Parley.');
  };
  const all = Object.fromEntries(requestNames.map((n) => [n, offline])) as unknown as Handlers;
  return {
    ...all,
    'app.info': () => info,
    'profile.status': () => ({ state: 'none' }),
    'profile.create': ({ displayName }) => ({ state: 'unlocked', displayName }),
    'profile.unlock': () => ({ state: 'unlocked', displayName: 'A' }),
    'profile.unlockWithDevice': () => ({ state: 'unlocked', displayName: 'A' }),
    'profile.setRemember': () => ({ state: 'unlocked', displayName: 'A', remembered: true }),
    'profile.changePassphrase': () => ({ state: 'unlocked', displayName: 'A' }),
    'profile.lock': () => ({ state: 'locked' }),
    'conversations.list': () => [],
    'conversations.markRead': () => ({ unreadCount: 0 }),
    'search.query': () => ({ hits: [], problems: [] }),
    'messages.page': () => ({
      messages: [],
      hasOlder: false,
      hasNewer: false,
      unread: { count: 0, lastReadMessageId: 0 },
      extras: [],
    }),
    'net.status': () => ({ state: 'offline', peers: 0, peerId: null, addresses: [], problem: null }),
    'contacts.list': () => [],
    'contacts.createInvite': () => ({ link: 'parley://invite/x', text: 'x', qrData: 'x' }),
    'contacts.acceptInvite': () => ({ contactId: 1, conversationId: 1 }),
    'contacts.requests': () => [],
    'contacts.respond': () => ({}),
    'conversations.createDm': () => ({ conversationId: 1 }),
    'conversations.createGroup': () => ({ conversationId: 1 }),
    'messages.send': () => {
      throw new ParleyError('OFFLINE', 'Networking is turned off in this Parley.');
    },
    ...overrides,
  };
}

function recordingLogger(): Logger & { records: LogFields[] } {
  const records: LogFields[] = [];
  return { records, log: (level, event, fields = {}) => records.push({ level, event, ...fields }) };
}

describe('dispatcher', () => {
  it('answers a valid request with its value', async () => {
    const dispatch = createDispatcher(handlers(), recordingLogger());
    expect(await dispatch('app.info', {})).toEqual({ ok: true, value: info });
  });

  it('refuses names outside the contract, including prototype keys', async () => {
    const dispatch = createDispatcher(handlers(), recordingLogger());
    for (const name of ['nope', 'constructor', '__proto__', 'toString', 42, null]) {
      expect(await dispatch(name, {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_REQUEST' } });
    }
  });

  it('refuses invalid params without echoing them back', async () => {
    const dispatch = createDispatcher(handlers(), recordingLogger());
    const reply = await dispatch('profile.create', {
      displayName: '',
      passphrase: 'hunter2-secret',
      extra: 1,
    });
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.error.code).toBe('INVALID_PARAMS');
    expect(reply.error.message).not.toContain('hunter2');
    expect(await dispatch('profile.unlock', 'not an object')).toMatchObject({
      error: { code: 'INVALID_PARAMS' },
    });
  });

  it('trims the display name before the handler sees it', async () => {
    const dispatch = createDispatcher(handlers(), recordingLogger());
    expect(await dispatch('profile.create', { displayName: '  Ada  ', passphrase: 'x' })).toEqual({
      ok: true,
      value: { state: 'unlocked', displayName: 'Ada' },
    });
  });

  it('turns a ParleyError into { code, message }', async () => {
    const dispatch = createDispatcher(
      handlers({
        'profile.unlock': () => {
          throw new ParleyError('WRONG_PASSPHRASE', 'That passphrase does not unlock this profile.');
        },
      }),
      recordingLogger(),
    );
    expect(await dispatch('profile.unlock', { passphrase: 'x' })).toEqual({
      ok: false,
      error: { code: 'WRONG_PASSPHRASE', message: 'That passphrase does not unlock this profile.' },
    });
  });

  it('hides unexpected errors behind INTERNAL and logs no message text', async () => {
    const logger = recordingLogger();
    const dispatch = createDispatcher(
      handlers({
        'profile.lock': () => {
          throw new Error('secret path /home/ada/diary');
        },
      }),
      logger,
    );
    const reply = await dispatch('profile.lock', {});
    expect(reply).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(reply)).not.toContain('diary');
    expect(JSON.stringify(logger.records)).not.toContain('diary');
  });

  it('refuses a handler result that breaks the contract', async () => {
    const dispatch = createDispatcher(
      handlers({ 'profile.status': () => ({ state: 'exploded' }) as never }),
      recordingLogger(),
    );
    expect(await dispatch('profile.status', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });
});
