import { create } from 'zustand';
import { createProfileSlice, type ProfileSlice } from './profileSlice';
import { createSessionSlice, type SessionSlice } from './sessionSlice';

export type AppState = SessionSlice & ProfileSlice;

/** The window's one store, bound from slices (zustand's slices pattern); components select from it. */
export const useAppStore = create<AppState>()((...args) => ({
  ...createSessionSlice(...args),
  ...createProfileSlice(...args),
}));
