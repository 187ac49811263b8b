import { beforeEach, describe, expect, it, vi } from 'vitest';
import { create, type StoreApi, type UseBoundStore } from 'zustand';
import type { FileView } from '../../../src-shared/contract/areas/files';
import type { AppState } from './appStore';
import { createFilesSlice } from './filesSlice';

/**
 * Files in the chat against a fake api: each message's file info is asked
 * for once, in batches, and again when it failed or the file changed; a
 * cancelled upload stops staging, is dropped from the core and from the list.
 */

const fake = vi.hoisted(() => ({
  filesForMessages: vi.fn(),
  stageFileBegin: vi.fn(),
  stageFileChunk: vi.fn(),
  stageFileCommit: vi.fn(),
  stageFileCancel: vi.fn(),
}));

vi.mock('../api/client', () => ({
  api: fake,
  toErrorPayload: (err: unknown) => ({ code: 'INTERNAL', message: String(err) }),
}));

function view(messageId: number): FileView {
  return { messageId, attachmentId: messageId, bytesDone: 0, state: 'done' } as FileView;
}

/** Lets queued microtasks (the batch flush) and resolved requests run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

let store: UseBoundStore<StoreApi<AppState>>;
const refreshMessages = vi.fn(() => Promise.resolve());

beforeEach(() => {
  for (const f of Object.values(fake)) f.mockReset();
  fake.filesForMessages.mockImplementation((ids: number[]) => Promise.resolve(ids.map(view)));
  store = create<AppState>()(
    (...args) => ({ ...createFilesSlice(...args), refreshMessages }) as unknown as AppState,
  );
});

describe('file info of the rows on screen', () => {
  it('asks once per message, at most 200 in one request', async () => {
    for (let id = 1; id <= 250; id++) store.getState().requestFiles([id]);
    store.getState().requestFiles([1, 2, 3]);
    await settle();
    expect(fake.filesForMessages.mock.calls.map(([ids]) => (ids as number[]).length)).toEqual([200, 50]);
    expect(Object.keys(store.getState().files)).toHaveLength(250);
    store.getState().requestFiles([1, 250]);
    await settle();
    expect(fake.filesForMessages).toHaveBeenCalledTimes(2);
  });

  it('asks again after a failure, and when the file changed', async () => {
    fake.filesForMessages.mockRejectedValueOnce(new Error('locked'));
    store.getState().requestFiles([5]);
    await settle();
    expect(store.getState().files[5]).toBeUndefined();
    store.getState().requestFiles([5]);
    await settle();
    expect(store.getState().files[5]).toBeDefined();
    store.getState().applyFileChanged({ messageId: 5 } as Parameters<AppState['applyFileChanged']>[0]);
    await settle();
    expect(fake.filesForMessages.mock.calls).toEqual([[[5]], [[5]], [[5]]]);
  });
});

describe('uploads', () => {
  it('a cancelled upload stops, is dropped by the core and leaves the list', async () => {
    const answers: (() => void)[] = [];
    fake.stageFileBegin.mockResolvedValue({ stageId: 's1', chunkBytes: 4 });
    fake.stageFileChunk.mockImplementation(
      (_stage: string, offset: number, piece: Uint8Array) =>
        new Promise((resolve) => answers.push(() => resolve({ received: offset + piece.length }))),
    );
    fake.stageFileCancel.mockResolvedValue({});
    // Ten pieces; the first few are on their way when the user cancels.
    const sending = store.getState().sendFiles(7, [new File(['0123456789'.repeat(4)], 'notes.txt')]);
    await vi.waitFor(() => expect(answers.length).toBeGreaterThan(0));
    const [upload] = store.getState().uploads;
    expect(upload).toMatchObject({ name: 'notes.txt', size: 40, staged: 0 });
    store.getState().cancelUpload(upload!.id);
    const sent = answers.length;
    for (const answer of answers) answer();
    await sending;
    expect(sent).toBeLessThan(10);
    expect(fake.stageFileChunk).toHaveBeenCalledTimes(sent);
    expect(fake.stageFileCancel).toHaveBeenCalledWith('s1');
    expect(fake.stageFileCommit).not.toHaveBeenCalled();
    expect(store.getState().uploads).toEqual([]);
  });

  it('gives each upload its own id', async () => {
    fake.stageFileBegin.mockRejectedValue(new Error('full'));
    await store.getState().sendFiles(7, [new File(['a'], 'a.txt'), new File(['b'], 'b.txt')]);
    const ids = store.getState().uploads.map((u) => u.id);
    expect(new Set(ids).size).toBe(2);
    expect(store.getState().uploads.every((u) => u.error !== null)).toBe(true);
  });
});
