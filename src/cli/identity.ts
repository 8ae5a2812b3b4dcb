/** Who is acting at the terminal: `--author "Name <email>"`, else GIT_AUTHOR_*, else git config. */
import { execFileSync } from 'node:child_process';
import { ConfigurationError } from '../errors.js';
import type { CommitAuthor } from '../git/port.js';

export function resolveAuthor(flag: string | undefined, repoDir: string): CommitAuthor {
  if (flag) {
    const m = /^\s*([^<]+?)\s*<([^>]+)>\s*$/.exec(flag);
    if (!m) throw new ConfigurationError(`--author must look like "Name <email>", got ${flag}`);
    return { name: m[1]!, email: m[2]! };
  }
  const env = process.env;
  if (env.GIT_AUTHOR_NAME && env.GIT_AUTHOR_EMAIL)
    return { name: env.GIT_AUTHOR_NAME, email: env.GIT_AUTHOR_EMAIL };
  const get = (key: string) => {
    try {
      return execFileSync('git', ['config', '--get', key], { cwd: repoDir, encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  const name = get('user.name');
  const email = get('user.email');
  if (!name || !email) {
    throw new ConfigurationError(
      'who is asking? set git config user.name and user.email, or pass --author "Name <email>"',
    );
  }
  return { name, email };
}
