/** What a command may touch of the outside world; tests pass fakes. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  /** Reads one answer line (echoed), from a terminal or piped input; undefined when stdin is closed. */
  promptLine?: (question: string) => Promise<string>;
  /** Reads a secret without echo; undefined when there is no terminal to ask. */
  promptSecret?: (question: string) => Promise<string>;
  /** Resolves when the user asks a long-running command to stop (SIGINT/SIGTERM). */
  untilStopped?: () => Promise<void>;
}
