import { useAppStore } from '../../store/appStore';

/**
 * Whether this device was removed from its person's devices (issue 18,
 * docs/protocol.md §13.8 step 4). Everything that starts or changes a
 * conversation, a contact or the device list hides on such a device: it is
 * offline for good and its keys are gone, so none of it could work; reading
 * and searching what is on it stays.
 */
export function useRemovedDevice(): boolean {
  return useAppStore((s) => s.thisDevice?.removed != null);
}
