import type { CliIo } from './io';

export interface OptionSpec {
  name: string;
  type: 'string' | 'boolean';
  /** Placeholder shown in help, e.g. DIR. */
  value?: string;
  description: string;
  required?: boolean;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** Longer help shown by `parley COMMAND --help`. */
  details?: string;
  options: OptionSpec[];
  run(values: Record<string, string | boolean | undefined>, io: CliIo): Promise<number>;
}
