import { describe, expect, it } from 'vitest';
import { buildBridge, type BridgeIpc } from './buildBridge';
import {
  eventChannel,
  requestChannel,
  requestNames,
  type EventName,
  type ParleyBridge,
  type ProfileStatus,
  type RequestName,
} from '../src-shared/contract';

type Listener = (event: unknown, ...args: unknown[]) => void;

/** A stand-in for ipcRenderer that records what the bridge does with it. */
function fakeIpc(
  answer: (channel: string, params: unknown) => Promise<unknown> = async () => ({ ok: true, value: {} }),
) {
  const invokes: { channel: string; args: unknown[] }[] = [];
  const listeners = new Map<string, Set<Listener>>();
  const ipc: BridgeIpc = {
    invoke(channel, ...args) {
      invokes.push({ channel, args });
      return answer(channel, args[0]);
    },
    on(channel, listener) {
      const set = listeners.get(channel) ?? new Set<Listener>();
      set.add(listener);
      listeners.set(channel, set);
    },
    removeListener(channel, listener) {
      listeners.get(channel)?.delete(listener);
    },
  };
  const emit = (channel: string, ...args: unknown[]) => {
    for (const l of listeners.get(channel) ?? []) l({ sender: 'the raw ipcRenderer', ports: [] }, ...args);
  };
  const count = (channel: string) => listeners.get(channel)?.size ?? 0;
  return { ipc, invokes, emit, count };
}

/** What untrusted renderer code can do regardless of the static types. */
const loose = (bridge: ParleyBridge) =>
  bridge as unknown as {
    request(name: unknown, params?: unknown): Promise<unknown>;
    subscribe(event: unknown, listener: unknown): () => void;
  };

describe('buildBridge', () => {
  it('exposes exactly request and subscribe, frozen', () => {
    const bridge = buildBridge(fakeIpc().ipc);
    expect(Object.keys(bridge).sort()).toEqual(['request', 'subscribe']);
    expect(Object.isFrozen(bridge)).toBe(true);
  });

  it('invokes the contract channel of every request name with the params as given', async () => {
    const { ipc, invokes } = fakeIpc();
    const bridge = buildBridge(ipc);
    for (const name of requestNames) {
      await loose(bridge).request(name, { probe: name });
    }
    expect(invokes).toEqual(
      requestNames.map((name) => ({ channel: requestChannel(name), args: [{ probe: name }] })),
    );
  });

  it('passes the reply from main through unchanged', async () => {
    const status: ProfileStatus = { state: 'locked' };
    const { ipc } = fakeIpc(async () => ({ ok: true, value: status }));
    await expect(buildBridge(ipc).request('profile.status', {})).resolves.toEqual({
      ok: true,
      value: status,
    });
    const failure = { ok: false, error: { code: 'WRONG_PASSPHRASE', message: 'No.' } };
    const failing = fakeIpc(async () => failure);
    await expect(buildBridge(failing.ipc).request('profile.unlock', { passphrase: 'x' })).resolves.toEqual(
      failure,
    );
  });

  it.each([
    'nope',
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    '',
    42,
    null,
    undefined,
    { a: 1 },
  ])('refuses the non-contract name %j without invoking', async (name) => {
    const { ipc, invokes } = fakeIpc();
    const reply = await loose(buildBridge(ipc)).request(name, {});
    expect(reply).toMatchObject({ ok: false, error: { code: 'UNKNOWN_REQUEST' } });
    expect(typeof (reply as { error: { message: unknown } }).error.message).toBe('string');
    expect(invokes).toHaveLength(0);
  });

  it('turns a rejected or throwing invoke into DISCONNECTED without leaking the error text', async () => {
    const rejecting = fakeIpc(async () => {
      throw new Error("Error invoking remote method 'parley:request:app.info': secret detail");
    });
    const reply = await buildBridge(rejecting.ipc).request('app.info', {});
    expect(reply).toEqual({ ok: false, error: { code: 'DISCONNECTED', message: expect.any(String) } });
    expect(JSON.stringify(reply)).not.toContain('secret detail');

    const throwing = fakeIpc(() => {
      throw new Error('An object could not be cloned.');
    });
    await expect(buildBridge(throwing.ipc).request('app.info', {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'DISCONNECTED' },
    });
  });

  it.each([
    undefined,
    null,
    'ok',
    { ok: 'yes' },
    { ok: true },
    { ok: false },
    { ok: false, error: { code: 1 } },
  ])('never hands the renderer a malformed reply (%j)', async (bad) => {
    const { ipc } = fakeIpc(async () => bad);
    await expect(buildBridge(ipc).request('app.info', {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'DISCONNECTED' },
    });
  });

  it('delivers only the payload to subscribers, never the Electron event', () => {
    const { ipc, emit } = fakeIpc();
    const seen: unknown[][] = [];
    buildBridge(ipc).subscribe('profile.changed', (...args: unknown[]) => seen.push(args));
    emit(eventChannel('profile.changed'), { state: 'unlocked', displayName: 'Ada' }, 'extra');
    expect(seen).toEqual([[{ state: 'unlocked', displayName: 'Ada' }]]);
  });

  it('unsubscribes exactly its own listener, once', () => {
    const { ipc, emit, count } = fakeIpc();
    const bridge = buildBridge(ipc);
    const channel = eventChannel('profile.changed');
    const a: unknown[] = [];
    const b: unknown[] = [];
    const offA = bridge.subscribe('profile.changed', (p) => a.push(p));
    bridge.subscribe('profile.changed', (p) => b.push(p));
    expect(count(channel)).toBe(2);
    offA();
    offA();
    expect(count(channel)).toBe(1);
    emit(channel, { state: 'locked' });
    expect(a).toEqual([]);
    expect(b).toEqual([{ state: 'locked' }]);
  });

  it.each(['nope', '__proto__', 'profile.status', 7, null])(
    'refuses to subscribe to the non-event %j',
    (event) => {
      const { ipc, count } = fakeIpc();
      expect(() => loose(buildBridge(ipc)).subscribe(event, () => {})).toThrow(/Unknown event/);
      expect(count(eventChannel('profile.changed'))).toBe(0);
    },
  );

  it('refuses a listener that is not a function', () => {
    const { ipc } = fakeIpc();
    expect(() =>
      loose(buildBridge(ipc)).subscribe('profile.changed' satisfies EventName, 'alert(1)'),
    ).toThrow(/function/);
  });

  it('uses the typed contract at compile time', async () => {
    const { ipc } = fakeIpc(async () => ({
      ok: true,
      value: { name: 'Parley', version: '1', shell: 'electron', profileDir: '/p' },
    }));
    const reply = await buildBridge(ipc).request('app.info', {});
    const name: RequestName = 'app.info';
    expect(name).toBe('app.info');
    if (reply.ok) expect(reply.value.shell).toBe('electron');
    else throw new Error('expected ok');
  });
});
