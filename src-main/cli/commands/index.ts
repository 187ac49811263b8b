import type { CommandSpec } from '../commandSpec';
import { initCommand } from './init';
import { searchCommand } from './search';
import { webCommand } from './web';

/** Every `parley` command; help and parsing are generated from these specs. */
export const commands: readonly CommandSpec[] = [initCommand, webCommand, searchCommand];
