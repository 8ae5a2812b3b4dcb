/**
 * The webhook side of a canary's decision: decide, call the webhooks or query the metrics the
 * decision asks for, decide again, until it asks for nothing more (src/core/hooks.ts says what
 * and when). Calls go through the bounded client and the egress policy (`boundedTransport`); a
 * failing or hanging hook is a failed call (one failed check at most), never a failed run.
 *
 * One run is one process: a non-gate hook (pre-rollout, rollout, rollback, post-rollout) is
 * called once per canary, revision, step and hook, even when a lost push race makes the run
 * decide again; the confirm-* gates are asked again on every attempt, as Flagger asks every tick.
 * In a dry run (`plan`) only the side-effect-free checks (the gates and rollback hooks) are called;
 * the others are recorded as passed without a call.
 */
import { type DecideInput, decide } from '../core/decide.js';
import { gateAnswer, hooksOf, isGate, stopsAfter } from '../core/hooks.js';
import type { Decision, HookNeed, HookRecord } from '../core/types.js';
import { boundedTransport, callHook, type HookTransport } from '../hooks/caller.js';
import { hookPayload, revisionChecksum } from '../hooks/payload.js';
import { egressPolicy, type RepoConfig } from '../inputs/config.js';
import type { LoadedCanary, SourceWorkload } from '../inputs/model.js';
import type { WebhookSpec } from '../inputs/schema.js';
import { decideEgress } from '../net/egress.js';
import { redactor, secretsOfEnv } from '../net/redact.js';
import type { ReconcileContext } from './context.js';
import { observe } from './observe.js';

/** What a run shares for its webhook calls. */
export interface WebhookRunner {
  transport: HookTransport;
  /** Calls of non-gate hooks, kept for the whole run (across push-race attempts). */
  runCalls: Map<string, Promise<HookRecord>>;
  /** Gate calls of this attempt (one answer per attempt, shared by its decisions). */
  attemptCalls: Map<string, Promise<HookRecord>>;
  /** `plan`: call only side-effect-free checks. */
  dryRun: boolean;
  redact: (s: string) => string;
}

/** The run's webhook runner: the bounded transport under the operator's egress policy. */
export function webhookRunner(
  config: RepoConfig,
  opts: {
    runCalls: Map<string, Promise<HookRecord>>;
    dryRun?: boolean;
    hostMap?: Readonly<Record<string, string>>;
  },
): WebhookRunner {
  const policy = egressPolicy(config);
  const refuse = (u: URL): string | undefined => {
    const d = decideEgress(policy, { url: u.href, from: 'spec' });
    return d.allowed ? undefined : d.reason;
  };
  return {
    transport: boundedTransport({
      maxBytes: config.limits.responseBytes,
      refuse,
      ...(opts.hostMap ? { hostMap: opts.hostMap } : {}),
    }),
    runCalls: opts.runCalls,
    attemptCalls: new Map(),
    dryRun: opts.dryRun === true,
    redact: redactor(secretsOfEnv(process.env)),
  };
}

/** Decides, answering what the decision asks (webhooks, metrics) until it asks nothing more. */
export async function decideWithAnswers(
  ctx: ReconcileContext,
  c: LoadedCanary,
  first: DecideInput,
  source?: SourceWorkload,
): Promise<Decision> {
  let input = first;
  let d = decide(input);
  for (let round = 0; round < 12; round++) {
    if (d.needsHooks) input = await answerHooks(ctx, c, input, d.needsHooks);
    else if (d.needsObservations && !input.observations)
      input = { ...input, observations: await observe(ctx, c, source) };
    else break;
    d = decide(input);
  }
  return d;
}

async function answerHooks(
  ctx: ReconcileContext,
  c: LoadedCanary,
  input: DecideInput,
  need: HookNeed,
): Promise<DecideInput> {
  ctx.webhooks ??= webhookRunner(ctx.config, { runCalls: new Map() });
  const runner = ctx.webhooks;
  const calls: HookRecord[] = [];
  for (const hook of hooksOf(c.canary, need.type)) {
    const call = await callOnce(runner, c, input, need, hook);
    calls.push(call);
    if (stopsAfter(need.type, call.ok)) break;
  }
  const next: DecideInput = { ...input, hooks: [...(input.hooks ?? []), ...calls] };
  if (isGate(need.type)) next.gates = { ...input.gates, [need.type]: gateAnswer(calls) };
  return next;
}

function callOnce(
  runner: WebhookRunner,
  c: LoadedCanary,
  input: DecideInput,
  need: HookNeed,
  hook: WebhookSpec,
): Promise<HookRecord> {
  const status = input.status;
  const step = `${status?.lastStepTime ?? ''} ${status?.phase ?? ''} ${status?.canaryWeight ?? 0} ${status?.iterations ?? 0}`;
  const key = [input.id, input.revision, step, need.type, need.phase, hook.name].join('\u0000');
  const sideEffects = !isGate(need.type) && need.type !== 'rollback';
  if (runner.dryRun && sideEffects) {
    return Promise.resolve({
      name: hook.name,
      type: need.type,
      ok: true,
      snippet: 'not called (dry run)',
      attempts: 0,
      durationMs: 0,
    });
  }
  const memo = isGate(need.type) ? runner.attemptCalls : runner.runCalls;
  let call = memo.get(key);
  if (!call) {
    const payload = hookPayload(
      { name: c.ref.name, namespace: c.ref.namespace },
      need.phase,
      revisionChecksum({ lastAppliedSpec: input.revision, trackedConfigs: input.trackedConfigs }),
      hook,
    );
    call = callHook({ ...hook, type: need.type }, payload, runner.transport, { redact: runner.redact });
    memo.set(key, call);
  }
  return call;
}
