/**
 * Typed errors. Each names what failed and says whether retrying can help.
 */

/** Bad repository configuration or CLI usage (exit code 2). Not retriable. */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

/** A Canary (or the objects it references) is invalid. Names the file, object and field. */
export class SpecError extends Error {
  override name = 'SpecError';
  constructor(
    message: string,
    readonly file: string,
    readonly object?: string,
    readonly path?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A failure that may pass on retry (network, lock, timeout). */
export class TransientError extends Error {
  override name = 'TransientError';
}

/** A failure that will not pass on retry. */
export class TerminalError extends Error {
  override name = 'TerminalError';
}

/** The remote moved while we were working: re-read, decide again, retry. */
export class PushRejectedError extends TransientError {
  override name = 'PushRejectedError';
}

/** Message of any thrown value, for logs. */
export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));
