import type { CliIo } from './io';

export interface OptionSpec {
  name: string;
  type: 'string' | 'boolean';
  /** Placeholder shown in help, e.g. DIR. */
  value?: string;
  description: string;
  required?: boolean;
}

/** Words after the options (e.g. a search query); only commands that declare them accept any. */
export interface PositionalSpec {
  /** Placeholder shown in help, e.g. QUERY. */
  name: string;
  description: string;
  required?: boolean;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** Longer help shown by `parley COMMAND --help`. */
  details?: string;
  options: OptionSpec[];
  positionals?: PositionalSpec;
  run(
    values: Record<string, string | boolean | undefined>,
    io: CliIo,
    positionals: string[],
  ): Promise<number>;
}
