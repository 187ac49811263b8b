import { connectControl, type ControlClient } from './controlClient';
import { controlSocketPath } from './controlServer';

/**
 * The control socket of a `parley node` running on this profile, or null when
 * none answers. Commands that could open the profile themselves (backup,
 * search) ask the node first: it holds the profile lock, and a second writer
 * would fork its MLS state.
 */
export async function runningNode(profileDir: string): Promise<ControlClient | null> {
  try {
    return await connectControl(controlSocketPath(profileDir), { connectTimeoutMs: 2_000 });
  } catch {
    return null;
  }
}
