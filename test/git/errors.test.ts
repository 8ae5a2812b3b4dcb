/**
 * Classification of real git output. The local strings were captured from git 2.39.5 on this
 * machine (bare remote + clones); the GitHub ones are quoted from public push logs.
 */
import { describe, expect, it } from 'vitest';
import { PushRejectedError, TerminalError, TransientError } from '../../src/errors.js';
import { classifyGitError, GitCommandError, gitDiagnostics, redact } from '../../src/git/errors.js';

const failed = (stderr: string, stdout = '', exitCode = 1) =>
  new GitCommandError(['push', '--porcelain'], exitCode, stderr, stdout);

const fetchFirst = failed(
  `error: failed to push some refs to '/tmp/gx/r.git'
hint: Updates were rejected because the remote contains work that you do
hint: not have locally. This is usually caused by another repository pushing
hint: to the same ref. You may want to first integrate the remote changes
hint: (e.g., 'git pull ...') before pushing again.
hint: See the 'Note about fast-forwards' in 'git push --help' for details.
`,
  'To /tmp/gx/r.git\n!\tHEAD:refs/heads/main\t[rejected] (fetch first)\nDone\n',
);

const nonFastForward = failed(
  `error: failed to push some refs to '/tmp/gx/r.git'
hint: Updates were rejected because the tip of your current branch is behind
hint: its remote counterpart. Integrate the remote changes (e.g.
hint: 'git pull ...') before pushing again.
`,
  'To /tmp/gx/r.git\n!\tHEAD:refs/heads/main\t[rejected] (non-fast-forward)\nDone\n',
);

const cannotLockRef = failed(
  `remote: error: cannot lock ref 'refs/heads/main': is at 3c714ec4533e4ed1cc49d6cdf89adea28005cc9d but expected 42a66963f838cdec1423c05fd3a8a23a5b485b96        
error: failed to push some refs to '/tmp/gx/r.git'
`,
  'To /tmp/gx/r.git\n!\tHEAD:refs/heads/main\t[remote rejected] (failed to update ref)\nDone\n',
);

const localHookDeclined = failed(
  `remote: GH006: Protected branch update failed for refs/heads/main.        
error: failed to push some refs to '/tmp/gx/r.git'
`,
  'To /tmp/gx/r.git\n!\tHEAD:refs/heads/main\t[remote rejected] (pre-receive hook declined)\nDone\n',
);

const githubProtected = failed(`remote: error: GH006: Protected branch update failed for refs/heads/main.
remote: error: Changes must be made through a pull request.
To https://github.com/acme/gitops
 ! [remote rejected] main -> main (protected branch hook declined)
error: failed to push some refs to 'https://github.com/acme/gitops'
`);

const githubRuleset =
  failed(`remote: error: GH013: Repository rule violations found for refs/heads/main.        
remote: Review all repository rules at https://github.com/acme/gitops/rules?ref=refs%2Fheads%2Fmain        
remote: 
remote: - Changes must be made through a pull request.        
remote: 
To https://github.com/acme/gitops
 ! [remote rejected] main -> main (push declined due to repository rule violations)
error: failed to push some refs to 'https://github.com/acme/gitops'
`);

describe('classifyGitError', () => {
  it.each([
    ['[rejected] (fetch first)', fetchFirst],
    ['[rejected] (non-fast-forward)', nonFastForward],
    ['[remote rejected] (failed to update ref) + cannot lock ref', cannotLockRef],
  ])('a lost push race is a PushRejectedError: %s', (_, err) => {
    const e = classifyGitError('push', err);
    expect(e).toBeInstanceOf(PushRejectedError);
    expect(e.message).toContain('lost a push race');
    expect((e as Error & { cause?: unknown }).cause).toBe(err);
  });

  it.each([
    ['pre-receive hook', localHookDeclined],
    ['GitHub protected branch', githubProtected],
    ['GitHub ruleset', githubRuleset],
  ])('a [remote rejected] by policy is terminal, not a race: %s', (_, err) => {
    const e = classifyGitError('push', err);
    expect(e).toBeInstanceOf(TerminalError);
    expect(e).not.toBeInstanceOf(PushRejectedError);
    expect(e.message).toContain('refused the update by policy');
  });

  it.each([
    [
      'connection refused',
      "fatal: unable to access 'http://127.0.0.1:1/x.git/': Failed to connect to 127.0.0.1 port 1 after 0 ms: Couldn't connect to server\n",
    ],
    [
      'unknown host',
      "fatal: unable to access 'https://nonexistent.invalid/x.git/': Could not resolve host: nonexistent.invalid\n",
    ],
    [
      'ssh timeout',
      'ssh: connect to host github.com port 22: Connection timed out\nfatal: Could not read from remote repository.\n',
    ],
    [
      'server error',
      'error: RPC failed; HTTP 502 curl 22 The requested URL returned error: 502\nfatal: expected flush after ref listing\n',
    ],
    ['hung up', 'fatal: the remote end hung up unexpectedly\nfatal: early EOF\n'],
    [
      'index lock',
      "fatal: Unable to create '/tmp/gx/b/.git/index.lock': File exists.\n\nAnother git process seems to be running in this repository",
    ],
  ])('network and lock failures are transient: %s', (_, stderr) => {
    for (const op of ['fetch', 'push']) {
      const e = classifyGitError(op, failed(stderr, '', 128));
      expect(e).toBeInstanceOf(TransientError);
      expect(e).not.toBeInstanceOf(PushRejectedError);
    }
  });

  it.each([
    [
      'bad password',
      "remote: Invalid username or password.\nfatal: Authentication failed for 'https://github.com/acme/gitops.git/'\n",
    ],
    [
      'no credentials',
      "fatal: could not read Username for 'https://github.com': No such device or address\n",
    ],
    [
      '403',
      "remote: Permission to acme/gitops.git denied to github-actions[bot].\nfatal: unable to access 'https://github.com/acme/gitops/': The requested URL returned error: 403\n",
    ],
    [
      'ssh key',
      'git@github.com: Permission denied (publickey).\nfatal: Could not read from remote repository.\n',
    ],
    [
      'missing repository',
      "fatal: '/tmp/gx/nope.git' does not appear to be a git repository\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.\n",
    ],
  ])('auth and missing repositories are terminal: %s', (_, stderr) => {
    const e = classifyGitError('fetch', failed(stderr, '', 128));
    expect(e).toBeInstanceOf(TerminalError);
    expect(e.message).toContain('refused access');
  });

  it('race patterns only count for push', () => {
    expect(classifyGitError('fetch', fetchFirst)).not.toBeInstanceOf(PushRejectedError);
  });

  it('anything else is terminal and keeps git’s message', () => {
    const e = classifyGitError('fetch', failed("fatal: couldn't find remote ref refs/heads/nope\n", '', 128));
    expect(e).toBeInstanceOf(TerminalError);
    expect(e.message).toContain("couldn't find remote ref refs/heads/nope");
  });

  it('a missing git executable is terminal', () => {
    const e = classifyGitError('fetch', Object.assign(new Error('spawn git ENOENT'), { code: 'ENOENT' }));
    expect(e).toBeInstanceOf(TerminalError);
    expect(e.message).toContain('not found on PATH');
  });

  it('typed errors pass through unchanged', () => {
    const e = new TransientError('x');
    expect(classifyGitError('push', e)).toBe(e);
  });
});

describe('gitDiagnostics and redact', () => {
  it('keeps the error lines, drops hints', () => {
    expect(gitDiagnostics(`${fetchFirst.stderr}\n${fetchFirst.stdout}`)).toBe(
      "error: failed to push some refs to '/tmp/gx/r.git'\n!\tHEAD:refs/heads/main\t[rejected] (fetch first)",
    );
  });

  it('never shows credentials from URLs', () => {
    const text =
      "fatal: unable to access 'https://x-access-token:ghs_secret123@github.com/acme/gitops/': The requested URL returned error: 500";
    expect(redact(text)).toBe(
      "fatal: unable to access 'https://***@github.com/acme/gitops/': The requested URL returned error: 500",
    );
    const e = classifyGitError('fetch', failed(text, '', 128));
    expect(e).toBeInstanceOf(TransientError);
    expect(e.message).not.toContain('ghs_secret123');
  });
});
