/**
 * The library's Logger on the Actions log: plain lines for debug/info, `::warning::` for
 * warnings, and plain `error:` lines for errors (the run's errors become file annotations once
 * the reports are in, see annotations.ts). Secrets are replaced by `***` even before the runner's
 * own masking, so a local run prints none either.
 */
import { redactor } from '../net/redact.js';
import type { Logger } from '../reconcile/logger.js';
import type { LogLevel } from './inputs.js';
import { command } from './io.js';

const order: LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** Replaces every secret (longest first) with `***`: the one redaction function, `src/net/redact.ts`. */
export const masker = (secrets: string[]): ((s: string) => string) => redactor(secrets);

export function actionsLogger(level: LogLevel, write: (line: string) => void, secrets: string[]): Logger {
  const mask = masker(secrets);
  const at = (l: LogLevel, format: (m: string) => string) => (message: string) => {
    if (order.indexOf(l) >= order.indexOf(level)) write(format(mask(message)));
  };
  return {
    debug: at('debug', (m) => m),
    info: at('info', (m) => m),
    warn: at('warn', (m) => command('warning', {}, m)),
    error: at('error', (m) => `error: ${m}`),
  };
}
