/**
 * The table of commands: each one's own flags, synopsis, help and example, and how to load its
 * implementation. Nothing here imports the library: `--help` and `--version` read this table
 * only, and a command's code (Octokit, zod, yaml, diff) is imported when that command runs.
 */
import type { CommandRun } from './commands/context.js';

export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  default?: string | boolean;
  /** The value's placeholder in help (`DIR`, `text|json`). */
  value?: string;
  /** A string flag that may be given more than once (its values arrive as a list). */
  multiple?: boolean;
  help: string;
}

export interface CommandSpec {
  /** Positional arguments, as in the synopsis (`NAMESPACE/NAME`, `[NAMESPACE/NAME]`). */
  args?: string;
  /** The number of positional arguments taken: [min, max]. */
  arity: [number, number];
  summary: string;
  /** More lines of help, after the synopsis. */
  details?: string;
  flags: Record<string, FlagSpec>;
  /** The output formats of `-o`, the first the default; none when the command prints no result. */
  outputs?: readonly string[];
  examples: string[];
  load: () => Promise<{ run: CommandRun }>;
}

const repo: Record<string, FlagSpec> = {
  repo: { type: 'string', default: '.', value: 'DIR', help: 'the GitOps checkout (default .)' },
};

const access: Record<string, FlagSpec> = {
  'commit-via': {
    type: 'string',
    default: 'git',
    value: 'git|api',
    help: 'git: the checkout at --repo (default); api: read and commit through the GitHub API',
  },
  branch: {
    type: 'string',
    value: 'B',
    help: 'with --commit-via api: the branch (default the default branch)',
  },
  'github-repository': {
    type: 'string',
    value: 'OWNER/NAME',
    help: 'the GitHub repository (default GITHUB_REPOSITORY)',
  },
  'github-api-url': {
    type: 'string',
    value: 'URL',
    help: 'the GitHub API (default GITHUB_API_URL or api.github.com)',
  },
};

const output = (formats: readonly string[]): Record<string, FlagSpec> => ({
  output: {
    type: 'string',
    short: 'o',
    default: formats[0]!,
    value: formats.join('|'),
    help: 'output format',
  },
});

const texty = ['text', 'json', 'yaml'] as const;

const tick: Record<string, FlagSpec> = {
  now: { type: 'string', value: 'RFC3339', help: 'the evaluation time (default the clock)' },
  'metrics-server': { type: 'string', value: 'URL', help: 'Prometheus (default from gitcanary.yaml)' },
  'mesh-provider': { type: 'string', value: 'P', help: 'the default provider (default from gitcanary.yaml)' },
  mode: { type: 'string', value: 'commit|pull-request', help: 'how a step reaches Git' },
  config: { type: 'string', value: 'FILE', help: 'the repository config (default gitcanary.yaml)' },
  'log-level': { type: 'string', default: 'info', value: 'debug|info|warn|error', help: 'logs on stderr' },
  'hook-host': {
    type: 'string',
    multiple: true,
    value: 'HOST=HOST:PORT',
    help: 'send webhooks for HOST to HOST:PORT instead, spec unchanged (repeatable or comma-separated)',
  },
};

const request = (verb: string, what: string): CommandSpec => ({
  args: 'NAMESPACE/NAME',
  arity: [1, 1],
  summary: what,
  details:
    'Writes a request into the status file (a commit, or a pull request with --mode pull-request); the next reconcile obeys it whatever the interval.',
  flags: {
    ...repo,
    message: { type: 'string', short: 'm', value: 'WHY', help: 'why, recorded with the request' },
    author: {
      type: 'string',
      value: '"Name <email>"',
      help: 'who asks (default GIT_AUTHOR_* or git config)',
    },
    mode: { type: 'string', value: 'commit|pull-request', help: 'commit the request, or propose it' },
    'no-push': { type: 'boolean', default: false, help: 'commit locally only' },
    ...access,
  },
  examples: [
    `gitcanary ${verb} test/podinfo -m "${verb === 'abort' ? 'error budget burnt' : 'checked by hand'}"`,
  ],
  load: () => import('./commands/request.js'),
});

/** `approve`: a request command with the gate to open. */
function approveSpec(): CommandSpec {
  const base = request('approve', 'open a confirm gate for the revision it holds back');
  return {
    ...base,
    details:
      'Records an approval in the status file (a commit, or a pull request with --mode pull-request); the next\n' +
      'due run passes the gate. It opens the gate for the current revision only: a new revision closes it again.\n' +
      'Without --gate, the gate the canary is held at now; a gate is also open when its webhook answers yes.',
    flags: {
      gate: {
        type: 'string',
        value: 'confirm-rollout|confirm-traffic-increase|confirm-promotion',
        help: 'the gate to open (default the gate the canary is held at now)',
      },
      ...base.flags,
    },
    examples: [
      'gitcanary approve test/podinfo -m "dashboards checked"',
      'gitcanary approve test/podinfo --gate confirm-promotion',
    ],
  };
}

const reconcileSpec = (plan: boolean): CommandSpec => ({
  arity: [0, 0],
  summary: plan
    ? 'the decision of one tick without writing: each canary, its verdicts and a diff'
    : 'one tick: fetch, decide every canary, commit and push what changed',
  flags: {
    ...repo,
    ...tick,
    ...(plan
      ? {
          'target-branch': {
            type: 'string',
            value: 'REF',
            help: 'credentials follow this branch (default origin/$GITHUB_BASE_REF, origin/HEAD)',
          },
        }
      : {
          'dry-run': { type: 'boolean', default: false, help: 'decide and print, write nothing (as plan)' },
          'no-push': { type: 'boolean', default: false, help: 'commit locally only' },
          pushgateway: {
            type: 'string',
            value: 'URL',
            help: "push Flagger's metrics to this Prometheus Pushgateway after the run",
          },
        }),
    ...output(texty),
    ...access,
  },
  outputs: texty,
  examples: plan
    ? ['gitcanary plan --repo ./gitops --now 2026-01-01T12:00:00Z']
    : ['gitcanary reconcile --repo ./gitops -o json | jq .commit'],
  load: () => import('./commands/reconcile.js'),
});

export const commands: Record<string, CommandSpec> = {
  reconcile: reconcileSpec(false),
  plan: reconcileSpec(true),
  status: {
    args: '[NAMESPACE/NAME]',
    arity: [0, 1],
    summary: 'the canaries and their phase, from the status files (kubectl get canaries)',
    details:
      'Without -n, every namespace (as -A): a GitOps repository is one view. With NAMESPACE/NAME, one canary:\n' +
      'its planned weights, step n of N, the last verdict with its metric values and what it waits for.\n' +
      'The commit read is printed on stderr (text) or as "commit" (json, yaml); --fetch reads the remote first.',
    flags: {
      ...repo,
      namespace: { type: 'string', short: 'n', value: 'NAMESPACE', help: 'only this namespace' },
      'all-namespaces': {
        type: 'boolean',
        short: 'A',
        default: false,
        help: 'every namespace (the default)',
      },
      fetch: {
        type: 'boolean',
        default: false,
        help: 'fetch and fast-forward the checkout first (refused when that would lose local work)',
      },
      ...output(['text', 'json', 'yaml', 'wide']),
      ...access,
    },
    outputs: ['text', 'json', 'yaml', 'wide'],
    examples: ['gitcanary status -n test -o wide', 'gitcanary status test/podinfo --fetch'],
    load: () => import('./commands/status.js'),
  },
  wait: {
    args: 'NAMESPACE/NAME',
    arity: [1, 1],
    summary: 'wait until the revision in the source reaches a phase (fetching as it polls)',
    details:
      'Waits for the rollout of the workload revision read from the source at start, never an earlier one.\n' +
      '--for Succeeded also accepts Initialized (a first rollout promotes without analysis).\n' +
      'Exit 0 on the wanted phase; 1 on Failed, on timeout, or when a newer revision replaces it.',
    flags: {
      ...repo,
      for: {
        type: 'string',
        default: 'Succeeded',
        value: 'PHASE',
        help: 'the phase to wait for (default Succeeded)',
      },
      timeout: { type: 'string', default: '30m', value: 'DURATION', help: 'give up after (default 30m)' },
      interval: {
        type: 'string',
        default: '10s',
        value: 'DURATION',
        help: 'time between polls (default 10s)',
      },
      ...output(texty),
      ...access,
    },
    outputs: texty,
    examples: ['gitcanary wait test/podinfo --for Succeeded --timeout 1h30m --interval 30s'],
    load: () => import('./commands/wait.js'),
  },
  validate: {
    arity: [0, 0],
    summary: 'every problem as file:line: namespace/name: spec.path: message; exit 1 on errors',
    flags: { ...repo, ...output(texty), ...access },
    outputs: texty,
    examples: ['gitcanary validate --repo ./gitops'],
    load: () => import('./commands/validate.js'),
  },
  history: {
    args: 'NAMESPACE/NAME',
    arity: [1, 1],
    summary: "a canary's rollout timeline rebuilt from Git: who, phase, weight and verdicts",
    flags: { ...repo, ...output(texty), ...access },
    outputs: texty,
    examples: ['gitcanary history test/podinfo'],
    load: () => import('./commands/history.js'),
  },
  simulate: {
    args: 'NAMESPACE/NAME',
    arity: [1, 1],
    summary: 'one run of the spec against recorded metric values, tick by tick',
    flags: {
      ...repo,
      observations: { type: 'string', value: 'FILE', help: 'ticks: [{ metrics: { NAME: VALUE } }]' },
      'from-status': {
        type: 'boolean',
        default: false,
        help: 'replay the verdicts recorded in the status file',
      },
      ...output(texty),
      ...access,
    },
    outputs: texty,
    examples: ['gitcanary simulate test/podinfo --from-status'],
    load: () => import('./commands/simulate.js'),
  },
  metrics: {
    arity: [0, 0],
    summary: "Flagger's metrics (flagger_canary_*) as a Prometheus textfile, rebuilt from Git",
    details:
      'Gauges from the status files, success and failure counters from the Succeeded and Failed transitions\n' +
      'in Git history (they never go backwards), and the tick durations the runs on this checkout measured.',
    flags: {
      ...repo,
      config: { type: 'string', value: 'FILE', help: 'the repository config (default gitcanary.yaml)' },
    },
    examples: ['gitcanary metrics --repo ./gitops > /var/lib/node-exporter/gitcanary.prom'],
    load: () => import('./commands/metrics.js'),
  },
  promote: request('promote', 'promote now, skipping the rest of the analysis'),
  abort: request('abort', 'roll back now'),
  retry: request('retry', 'run the failed revision again'),
  pause: request('pause', 'stop stepping until resume'),
  resume: request('resume', 'take steps again (after pause or a closed step pull request)'),
  approve: approveSpec(),
  adopt: {
    args: '[NAMESPACE/NAME | -A]',
    arity: [0, 1],
    summary:
      'take canaries over from a live Flagger: status files so the first run neither promotes nor rolls back',
    details:
      "Reads Flagger's Canary status and the -primary workload (through gitcanary.yaml's cluster: reader, or\n" +
      'from a saved `kubectl get canaries,deployments -A -o yaml` with --from) for each canary without a status\n' +
      'file, and commits its status and rendered files. Refuses a canary Flagger is running (--force: adopt\n' +
      'what its primary runs as promoted). Prints the cutover: Flagger scaled down, Canaries deleted orphaning.',
    flags: {
      ...repo,
      'all-namespaces': {
        type: 'boolean',
        short: 'A',
        default: false,
        help: 'every canary of the repository without a status file',
      },
      from: { type: 'string', value: 'FILE', help: "read Flagger's objects from this saved kubectl output" },
      force: {
        type: 'boolean',
        default: false,
        help: 'adopt a mid-run canary, its primary taken as promoted',
      },
      author: {
        type: 'string',
        value: '"Name <email>"',
        help: 'who adopts (default GIT_AUTHOR_* or git config)',
      },
      'no-push': { type: 'boolean', default: false, help: 'commit locally only' },
      ...output(texty),
    },
    outputs: texty,
    examples: [
      'gitcanary adopt -A --repo ./gitops',
      'kubectl get canaries,deployments -A -o yaml > live.yaml && gitcanary adopt test/podinfo --from live.yaml',
    ],
    load: () => import('./commands/adopt.js'),
  },
  demo: {
    arity: [0, 0],
    summary: 'the embedded demo: no cluster, no Prometheus, no network',
    flags: { keep: { type: 'boolean', default: false, help: 'keep the demo repository' } },
    examples: ['gitcanary demo'],
    load: () => import('./commands/demo.js'),
  },
  version: {
    arity: [0, 0],
    summary: 'print the version',
    flags: {},
    examples: ['gitcanary version'],
    load: () => import('./commands/version.js'),
  },
};
