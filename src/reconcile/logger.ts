import { minSecretLength, redactor } from '../net/redact.js';

/** The logging port: the core never prints; the CLI and the Action inject a Logger. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A logger that drops everything (library default). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * A logger writing to stderr, masking every registered secret value.
 * @param level lowest level printed
 */
export function stderrLogger(
  level: 'debug' | 'info' | 'warn' | 'error' = 'info',
  secrets: string[] = [],
): Logger {
  const order = ['debug', 'info', 'warn', 'error'];
  const mask = redactor(secrets.filter((s) => s.length >= minSecretLength));
  const at = (l: string) => (message: string) => {
    if (order.indexOf(l) >= order.indexOf(level))
      process.stderr.write(`${l === 'info' ? '' : `${l}: `}${mask(message)}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
