import { beforeEach, describe, expect, it, vi } from 'vitest';
import { create, type StoreApi, type UseBoundStore } from 'zustand';
import type { HostFile } from '../../../src-shared/contract/areas/host';
import type { AppState } from './appStore';
import { createHostSlice } from './hostSlice';

/**
 * The desktop shell's offers against a fake api: a picture chosen in the
 * native dialog comes back whole however the core cuts it, a failed read is
 * an answer the screen shows (never a throw), and the login switch keeps the
 * OS's state when changing it fails.
 */

const fake = vi.hoisted(() => ({
  pickFiles: vi.fn(),
  pickFolder: vi.fn(),
  readHostFile: vi.fn(),
  startAtLogin: vi.fn(),
  setStartAtLogin: vi.fn(),
}));

vi.mock('../api/client', () => ({
  api: fake,
  toErrorPayload: (err: unknown) => ({
    code: 'INTERNAL',
    message: err instanceof Error ? err.message : String(err),
  }),
}));

let store: UseBoundStore<StoreApi<AppState>>;

beforeEach(() => {
  for (const f of Object.values(fake)) f.mockReset();
  store = create<AppState>()((...args) => ({ ...createHostSlice(...args) }) as unknown as AppState);
});

const chosen: HostFile = { handle: 'h1', name: 'me.png', size: 10 } as HostFile;
const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('a file chosen in the native dialog', () => {
  it('is read piece by piece from where the last piece ended, and comes back whole', async () => {
    fake.readHostFile
      .mockResolvedValueOnce({ data: b64('0123'), eof: false })
      .mockResolvedValueOnce({ data: b64('456789'), eof: true });
    const read = await store.getState().readHostFile(chosen);
    expect(fake.readHostFile.mock.calls.map(([, offset]) => offset as number)).toEqual([0, 4]);
    if (!read.ok) throw new Error(read.error.message);
    expect(read.value.name).toBe('me.png');
    expect(await read.value.text()).toBe('0123456789');
  });

  it('answers an error the screen can show when the core cannot read it', async () => {
    fake.readHostFile.mockRejectedValueOnce(new Error('That file is no longer there.'));
    const read = await store.getState().readHostFile(chosen);
    expect(read).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: 'That file is no longer there.' },
    });
  });

  it('a dialog that fails to open is an answer too, and a cancelled one chooses nothing', async () => {
    fake.pickFolder.mockRejectedValueOnce(new Error('no dialog')).mockResolvedValueOnce(null);
    expect((await store.getState().pickFolder()).ok).toBe(false);
    expect(await store.getState().pickFolder()).toEqual({ ok: true, value: null });
  });
});

describe('start at login', () => {
  it('is hidden where it cannot be read (the web shell)', async () => {
    fake.startAtLogin.mockRejectedValueOnce(new Error('not here'));
    await store.getState().loadStartAtLogin();
    expect(store.getState().startAtLogin).toBeNull();
  });

  it('keeps what the OS has when turning it on fails, says why, and ignores clicks while busy', async () => {
    fake.startAtLogin.mockResolvedValueOnce({ supported: true, enabled: false });
    await store.getState().loadStartAtLogin();
    let fail: (err: Error) => void = () => undefined;
    fake.setStartAtLogin.mockReturnValueOnce(
      new Promise((_, reject) => {
        fail = reject;
      }),
    );
    const turning = store.getState().setStartAtLogin(true);
    expect(store.getState().startAtLoginBusy).toBe(true);
    await store.getState().setStartAtLogin(true);
    expect(fake.setStartAtLogin).toHaveBeenCalledTimes(1);
    fail(new Error('The autostart entry could not be written.'));
    await turning;
    expect(store.getState()).toMatchObject({
      startAtLogin: { supported: true, enabled: false },
      startAtLoginBusy: false,
      startAtLoginError: 'The autostart entry could not be written.',
    });
  });
});
