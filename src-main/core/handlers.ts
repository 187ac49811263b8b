import type { AppInfo } from '../../src-preload/contract';
import type { ProfileService } from './profile/profileService';
import type { Handlers } from './rpc/dispatcher';

export interface HandlerDeps {
  info: AppInfo;
  profile: ProfileService;
}

/** The core's answer to every request in the contract. */
export function createHandlers({ info, profile }: HandlerDeps): Handlers {
  return {
    'app.info': () => info,
    'profile.status': () => profile.status(),
    'profile.create': ({ displayName, passphrase }) => profile.create(displayName, passphrase),
    'profile.unlock': ({ passphrase, remember }) => profile.unlock(passphrase, remember),
    'profile.unlockWithDevice': () => profile.unlockWithDevice(),
    'profile.setRemember': ({ remember }) => profile.setRemember(remember),
    'profile.changePassphrase': ({ current, next }) => profile.changePassphrase(current, next),
    'profile.lock': () => profile.lock(),
  };
}
