import { eventChannel, requestChannel, requestNames, type Reply } from '../../src-shared/contract';
import type { Core } from '../core/core';

/** The frame that sent an invoke; Electron gives null once the frame is gone. */
export type SenderFrame = { readonly url: string } | null;

/** The part of ipcMain used here; Electron's `ipcMain` satisfies it as is. */
export interface IpcMainLike {
  handle(
    channel: string,
    listener: (event: { readonly senderFrame: SenderFrame }, ...args: unknown[]) => unknown,
  ): void;
  removeHandler(channel: string): void;
}

/** The part of WebContents used to push events; Electron's `webContents` satisfies it. */
export interface EventSink {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

export interface IpcOptions {
  isTrustedSender(frame: SenderFrame): boolean;
}

const REFUSED: Reply<never> = {
  ok: false,
  // The contract has no "forbidden" code; to the refused page the core is simply not reachable.
  error: { code: 'DISCONNECTED', message: 'This page is not allowed to talk to Parley.' },
};

/**
 * One `ipcMain.handle` per contract request. The channel decides the request
 * name, so the renderer can only choose params, and the core's dispatcher
 * validates those against the contract. Frames that are not our renderer get a
 * refusal and never reach the core (Electron security checklist #17, "Validate
 * the sender of all IPC messages"). Returns a function that removes every handler.
 */
export function registerIpc(
  ipcMain: IpcMainLike,
  dispatch: Core['dispatch'],
  options: IpcOptions,
): () => void {
  const channels = requestNames.map((name) => {
    const channel = requestChannel(name);
    ipcMain.handle(channel, (event, params) => {
      if (!options.isTrustedSender(event.senderFrame)) return REFUSED;
      return dispatch(name, params);
    });
    return channel;
  });
  return () => {
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}

/** Pushes every core event to one window until the returned function is called. */
export function forwardEvents(onEvent: Core['onEvent'], target: EventSink): () => void {
  return onEvent((name, payload) => {
    // A closing window can still be listed for one tick; sending to it would throw.
    if (!target.isDestroyed()) target.send(eventChannel(name), payload);
  });
}
