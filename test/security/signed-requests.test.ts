/**
 * Attack: a person with write access commits a promote request under someone else's name
 * (`git -c user.name=…`). The requester is recorded as verified only when the commit carries a
 * good signature from a key the runner's git trusts (real SSH signing: ssh-keygen, an
 * allowedSignersFile); with `requests.requireSigned: true` in gitcanary.yaml an unsigned request
 * is refused, named in the log, and the rollout goes on by its analysis. Real git, a real rollout.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { Logger } from '../../src/reconcile/logger.js';
import { createGitOps, type GitOps, git } from '../support/gitops.js';
import { firstStep, ticker } from '../support/ticks.js';

const repos: GitOps[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});
const path = 'apps/podinfo/podinfo.status.yaml';

async function rollout(r: GitOps, warnings: string[]) {
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (m: string) => warnings.push(m),
    error() {},
  } as unknown as Logger;
  const clock = ticker(r.work, { logger });
  const { tick } = clock;
  expect(await firstStep(r, clock)).toMatchObject({ canaryWeight: 20 });
  const request = (s: string) => {
    const doc = parse(s);
    doc.status.request = {
      action: 'promote',
      requestedBy: 'On-call Lead <lead@example.com>',
      requestedAt: new Date(clock.now() - 1000).toISOString(),
    };
    return stringify(doc);
  };
  const promote = () => r.humanEdit(path, request, 'promote');
  /** The same request in a commit signed with the human clone's key (`git commit -S`). */
  const signedPromote = () => {
    const human = join(dirname(r.work), 'human');
    git(human, 'pull', '-q', '--ff-only');
    const file = join(human, path);
    writeFileSync(file, request(readFileSync(file, 'utf8')));
    git(human, 'add', '--', path);
    git(human, 'commit', '-q', '-S', '-m', 'promote');
    git(human, 'push', '-q');
    return git(human, 'rev-parse', 'HEAD');
  };
  return { tick, promote, signedPromote };
}

/** An SSH signing key for the human clone, trusted by the runner's clone. */
function signing(r: GitOps): void {
  const base = dirname(r.work);
  const key = join(base, 'signer');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'human', '-f', key]);
  const human = join(base, 'human');
  git(human, 'config', 'gpg.format', 'ssh');
  git(human, 'config', 'user.signingkey', key);
  const pub = execFileSync('cat', [`${key}.pub`], { encoding: 'utf8' }).trim();
  const allowed = join(base, 'allowed_signers');
  writeFileSync(allowed, `human@example.com ${pub}\n`);
  git(r.work, 'config', 'gpg.ssh.allowedSignersFile', allowed);
}

describe('signed requests', () => {
  it('a request in a signed commit is recorded with its verified signature', async () => {
    const r = createGitOps('istio-podinfo');
    repos.push(r);
    const { tick, signedPromote } = await rollout(r, []);
    signing(r);
    const sha = signedPromote();
    expect(await tick()).toMatchObject({ phase: 'Succeeded' });
    const last = parse(r.remoteFile(path)).status.history.at(-1);
    expect(last.message).toMatch(
      new RegExp(
        `^promote requested by Human <human@example\\.com> \\(verified signature of human@example\\.com, key SHA256:[A-Za-z0-9+/]+, commit ${sha.slice(0, 7)}\\)`,
      ),
    );
  });

  it('with requests.requireSigned an unsigned request is refused and named in the log', async () => {
    const r = createGitOps('istio-podinfo');
    repos.push(r);
    const warnings: string[] = [];
    const { tick, promote } = await rollout(r, warnings);
    r.humanEdit('gitcanary.yaml', (s) => `${s}requests:\n  requireSigned: true\n`, 'require signed requests');
    const sha = promote();
    const res = await tick();
    expect(res.phase).toBe('Progressing');
    expect(res.canaryWeight).toBeGreaterThan(0);
    expect(warnings.join('\n')).toContain(
      `apps/podinfo/podinfo.status.yaml: the promote request is refused: requests.requireSigned is set and commit ${sha.slice(0, 7)} by Human <human@example.com> (unverified, commit ${sha.slice(0, 7)}) has no verified signature (git %G? = N)`,
    );
    git(r.work, 'pull', '-q', '--ff-only');
    expect(parse(r.remoteFile(path)).status.request).toBeUndefined();
  });

  it('with requests.requireSigned a signed request is obeyed', async () => {
    const r = createGitOps('istio-podinfo');
    repos.push(r);
    const { tick, signedPromote } = await rollout(r, []);
    r.humanEdit('gitcanary.yaml', (s) => `${s}requests:\n  requireSigned: true\n`, 'require signed requests');
    signing(r);
    signedPromote();
    expect(await tick()).toMatchObject({ phase: 'Succeeded' });
  });
});
