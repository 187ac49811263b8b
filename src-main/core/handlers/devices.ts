import type { devicesRequests, LinkStatusView } from '../../../src-shared/contract/areas/devices';
import { ParleyError } from '../errors';
import { LINK_FAILURES, LinkError } from '../linking/linkFailure';
import { formatSas } from '../linking/linkKeySchedule';
import type { LinkHost } from '../linking/linkHost';
import type { DeviceListRequestName, HandlerDeps, HandlersFor } from './deps';

/** What the screens and the CLI see of linking (contract/areas/devices.ts). */
export function linkStatusView(host: LinkHost): LinkStatusView {
  const s = host.status();
  return {
    state: s.state,
    code: s.code,
    expiresAt: s.expiresAt,
    sas: s.sas === null ? null : formatSas(s.sas),
    peer: s.peer,
    reason: s.reason,
    message: s.reason === null ? null : LINK_FAILURES[s.reason],
  };
}

/** Handlers of contract/areas/devices.ts (linking: issue 18 part b). */
export function devicesHandlers(
  deps: HandlerDeps,
): HandlersFor<Exclude<keyof typeof devicesRequests, DeviceListRequestName>> {
  const host = async (): Promise<LinkHost> => {
    const m = await deps.messaging.running();
    return m.linking;
  };
  const asParley = (err: unknown): never => {
    if (err instanceof LinkError) throw new ParleyError('INVALID_STATE', err.message, { cause: err });
    throw err;
  };
  return {
    'devices.linkCode': async () => {
      const h = await host();
      try {
        h.showCode();
      } catch (err) {
        asParley(err);
      }
      return linkStatusView(h);
    },
    'devices.linkStatus': async () => linkStatusView(await host()),
    'devices.confirmSas': async ({ match }) => {
      const h = await host();
      try {
        h.confirm(match);
      } catch (err) {
        asParley(err);
      }
      return linkStatusView(h);
    },
    'devices.cancelLink': async () => {
      const h = await host();
      h.closeCode();
      return linkStatusView(h);
    },
  };
}
