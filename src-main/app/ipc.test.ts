import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  eventChannel,
  requestChannel,
  requestNames,
  type EventName,
  type EventPayload,
} from '../../src-shared/contract';
import { createCore, type Core } from '../core/core';
import { forwardEvents, registerIpc, type IpcMainLike, type SenderFrame } from './ipc';

const FAST_KDF = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
const RENDERER = 'http://localhost:5173/';
const trusted = { isTrustedSender: (frame: SenderFrame) => frame?.url === RENDERER };

type Handler = Parameters<IpcMainLike['handle']>[1];

/** A stand-in for ipcMain that keeps the handlers so the test can invoke them like a renderer would. */
function fakeIpcMain() {
  const handlers = new Map<string, Handler>();
  const ipcMain: IpcMainLike = {
    handle(channel, listener) {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler(channel) {
      handlers.delete(channel);
    },
  };
  const invoke = async (channel: string, url: string | null, ...args: unknown[]) => {
    const handler = handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler({ senderFrame: url === null ? null : { url } }, ...args);
  };
  return { ipcMain, handlers, invoke };
}

/** A stand-in for webContents. */
function fakeWebContents() {
  const sent: { channel: string; args: unknown[] }[] = [];
  let destroyed = false;
  return {
    sent,
    destroy: () => {
      destroyed = true;
    },
    target: {
      send: (channel: string, ...args: unknown[]) => sent.push({ channel, args }),
      isDestroyed: () => destroyed,
    },
  };
}

let dir: string;
let core: Core;
let dispatched: { name: unknown; params: unknown }[];
let dispatch: Core['dispatch'];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-ipc-'));
  core = createCore({ profileDir: dir, shell: 'electron', version: '0.0.0-test', kdfCost: FAST_KDF });
  dispatched = [];
  dispatch = (name, params) => {
    dispatched.push({ name, params });
    return core.dispatch(name, params);
  };
});

afterEach(async () => {
  await core.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('registerIpc', () => {
  it('registers one handler per contract request and nothing else', () => {
    const { ipcMain, handlers } = fakeIpcMain();
    registerIpc(ipcMain, dispatch, trusted);
    expect([...handlers.keys()].sort()).toEqual(requestNames.map(requestChannel).sort());
  });

  it('brings a valid call from the renderer to the core and its reply back', async () => {
    const { ipcMain, invoke } = fakeIpcMain();
    registerIpc(ipcMain, dispatch, trusted);
    const reply = await invoke(requestChannel('app.info'), RENDERER, {});
    expect(reply).toEqual({
      ok: true,
      value: { name: 'Parley', version: '0.0.0-test', shell: 'electron', profileDir: dir, timeLocale: null },
    });
    expect(dispatched).toEqual([{ name: 'app.info', params: {} }]);
  });

  it('takes the request name from the channel, never from the arguments', async () => {
    const { ipcMain, invoke } = fakeIpcMain();
    registerIpc(ipcMain, dispatch, trusted);
    await invoke(requestChannel('profile.status'), RENDERER, {}, 'profile.lock');
    expect(dispatched.map((d) => d.name)).toEqual(['profile.status']);
  });

  it.each([
    ['profile.unlock', { passphrase: 42 }],
    ['profile.unlock', {}],
    ['profile.create', { displayName: 'Ada', passphrase: 'x', admin: true }],
    ['app.info', { extra: 1 }],
    ['app.info', 'not an object'],
  ] as const)('answers %s with invalid params %j as INVALID_PARAMS {code, message}', async (name, params) => {
    const { ipcMain, invoke } = fakeIpcMain();
    registerIpc(ipcMain, dispatch, trusted);
    const reply = await invoke(requestChannel(name), RENDERER, params);
    expect(reply).toEqual({ ok: false, error: { code: 'INVALID_PARAMS', message: expect.any(String) } });
    expect(Object.keys((reply as { error: object }).error).sort()).toEqual(['code', 'message']);
  });

  it.each([null, 'https://evil.example/', 'http://localhost:5174/', 'file:///etc/passwd', 'about:blank'])(
    'refuses the untrusted sender frame %j without dispatching',
    async (url) => {
      const { ipcMain, invoke } = fakeIpcMain();
      registerIpc(ipcMain, dispatch, trusted);
      for (const name of requestNames) {
        const reply = await invoke(requestChannel(name), url, {});
        expect(reply).toEqual({ ok: false, error: { code: 'DISCONNECTED', message: expect.any(String) } });
      }
      expect(dispatched).toEqual([]);
    },
  );

  it('removes every handler when unregistered, so registering again works', () => {
    const { ipcMain, handlers } = fakeIpcMain();
    const unregister = registerIpc(ipcMain, dispatch, trusted);
    unregister();
    expect(handlers.size).toBe(0);
    registerIpc(ipcMain, dispatch, trusted);
    expect(handlers.size).toBe(requestNames.length);
  });
});

describe('forwardEvents', () => {
  it('sends core events on their contract channel with the payload only', async () => {
    const { ipcMain, invoke } = fakeIpcMain();
    registerIpc(ipcMain, dispatch, trusted);
    const wc = fakeWebContents();
    forwardEvents(core.onEvent, wc.target);
    await invoke(requestChannel('profile.create'), RENDERER, {
      displayName: 'Ada',
      passphrase: 'correct horse battery staple',
    });
    await invoke(requestChannel('profile.lock'), RENDERER, {});
    // objectContaining: the status carries more fields than these as the contract grows.
    expect(wc.sent).toEqual([
      {
        channel: eventChannel('profile.changed'),
        args: [expect.objectContaining({ state: 'unlocked', displayName: 'Ada' })],
      },
      { channel: eventChannel('profile.changed'), args: [expect.objectContaining({ state: 'locked' })] },
    ]);
  });

  it('stops when unsubscribed and skips a destroyed window', () => {
    type Listener = <E extends EventName>(name: E, payload: EventPayload<E>) => void;
    const listeners = new Set<Listener>();
    const onEvent: Core['onEvent'] = (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    };
    const emit = () => {
      for (const l of listeners) l('profile.changed', { state: 'locked' });
    };

    const open = fakeWebContents();
    const stop = forwardEvents(onEvent, open.target);
    emit();
    stop();
    emit();
    expect(open.sent).toHaveLength(1);

    const closing = fakeWebContents();
    forwardEvents(onEvent, closing.target);
    closing.destroy();
    expect(() => emit()).not.toThrow();
    expect(closing.sent).toHaveLength(0);
  });
});
