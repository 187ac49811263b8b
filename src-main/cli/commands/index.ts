import type { CommandSpec } from '../commandSpec';
import { acceptCommand } from './accept';
import { backupCommand } from './backup';
import { contactsCommand } from './contacts';
import { deviceCommand } from './device';
import { devicesCommand } from './devices';
import { initCommand } from './init';
import { inviteCommand } from './invite';
import { messagesCommand } from './messages';
import { nodeCommand } from './node';
import { restoreCommand } from './restore';
import { searchCommand } from './search';
import { sendCommand } from './send';
import { statusCommand } from './status';
import { webCommand } from './web';

/** Every `parley` command; help and parsing are generated from these specs. */
export const commands: readonly CommandSpec[] = [
  initCommand,
  webCommand,
  searchCommand,
  nodeCommand,
  statusCommand,
  inviteCommand,
  acceptCommand,
  contactsCommand,
  sendCommand,
  messagesCommand,
  backupCommand,
  restoreCommand,
  deviceCommand,
  devicesCommand,
];
