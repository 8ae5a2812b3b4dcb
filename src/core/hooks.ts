/**
 * Flagger's webhooks inside one tick (flagger-semantics §3.2, §6.2), pure: which webhooks the
 * tick must call, and what their answers do to the decision. A decision asks for one type of
 * webhooks at a time (`Decision.needsHooks`), as it asks for metric observations; the shell
 * calls that type's webhooks in spec order and decides again with the calls added to
 * `DecideInput.hooks` (and, for the confirm-* gates, the gate's answer in `DecideInput.gates`).
 *
 * Order in a tick, as Flagger's `advanceCanary`:
 * - confirm-rollout: before scaling up a new revision, and every tick while Waiting;
 * - rollback: every tick in Progressing / WaitingPromotion; an answer ≤ 202 rolls back;
 * - pre-rollout: on the first traffic step (a failure is a failed check, no traffic change);
 * - rollout: on every analysis, before the metrics (a failure is a failed check, no metrics);
 * - confirm-traffic-increase / confirm-promotion: at the gates (src/core/gates.ts);
 * - post-rollout: once the tick ends the run in Succeeded or Failed (its answer changes nothing).
 */
import { analysisOf, targetName } from '../inputs/defaults.js';
import type { Canary, WebhookSpec } from '../inputs/schema.js';
import type { DecideInput } from './decide.js';
import { type Tick, unchanged } from './decision-builder.js';
import { type GateAnswer, type GateType, gateTypes } from './gates.js';
import { terminalPhases } from './phases.js';
import type { Decision, HookNeed, HookRecord, HookType, Phase } from './types.js';

/** A webhook's type: Flagger treats an empty or missing `type` as `rollout`. */
export const hookTypeOf = (w: Pick<WebhookSpec, 'type'>): HookType => (w.type ? w.type : 'rollout');

/** The canary's webhooks of one type, in spec order. */
export const hooksOf = (c: Canary, type: HookType): WebhookSpec[] =>
  (analysisOf(c)?.webhooks ?? []).filter((w) => hookTypeOf(w) === type);

/** The calls of one type made this tick, or undefined when that type was not called yet. */
export function callsOf(input: Pick<DecideInput, 'hooks'>, type: HookType): HookRecord[] | undefined {
  const calls = input.hooks?.filter((h) => h.type === type) ?? [];
  return calls.length > 0 ? calls : undefined;
}

/**
 * Whether the shell stops calling a type's webhooks after this answer: Flagger stops at the
 * first failure, except for rollback hooks, which stop at the first one asking for a rollback.
 * @example stopsAfter('rollout', false) // true
 * @example stopsAfter('rollback', false) // false: the next rollback hook is asked
 */
export const stopsAfter = (type: HookType, ok: boolean): boolean => (type === 'rollback' ? ok : !ok);

/** A gate's answer from its webhooks' calls: open when every call passed. */
export const gateAnswer = (calls: readonly HookRecord[]): GateAnswer =>
  calls.every((c) => c.ok) ? 'open' : 'closed';

/** The decision that asks the shell to call `type`'s webhooks (sending `phase`) and decide again. */
export const askHooks = (input: DecideInput, type: HookType, phase: Phase): Decision => ({
  ...unchanged(input, `calling ${type} webhooks`),
  needsHooks: { type, phase },
});

/**
 * Why a call failed, in one line: the status and the start of the answer.
 * @example failureText({ name: 'lt', type: 'rollout', ok: false, status: 500, snippet: 'boom', attempts: 1, durationMs: 3 }) // 'status 500: boom'
 */
export function failureText(call: HookRecord): string {
  if (call.status === undefined) return call.snippet || 'no answer';
  return call.snippet ? `status ${call.status}: ${call.snippet}` : `status ${call.status}`;
}

const checkWords: Record<'pre-rollout' | 'rollout', string> = {
  'pre-rollout': 'pre-rollout check',
  rollout: 'external check',
};

/**
 * The pre-rollout or rollout webhooks of this tick (§6.2): undefined when they passed (or there
 * are none), else the decision that ends the tick: asking for them, or one failed check with no
 * traffic change (Flagger's `Halt … advancement pre-rollout check NAME failed …`).
 */
export function runChecks(
  t: Tick,
  input: DecideInput,
  type: 'pre-rollout' | 'rollout',
): Decision | undefined {
  if (hooksOf(input.canary, type).length === 0) return undefined;
  const calls = callsOf(input, type);
  if (!calls) return askHooks(input, type, 'Progressing');
  const failed = calls.find((c) => !c.ok);
  if (!failed) {
    if (type === 'pre-rollout') for (const c of calls) t.event('info', `Pre-rollout check ${c.name} passed`);
    return undefined;
  }
  t.event(
    'warning',
    `Halt ${input.id} advancement ${checkWords[type]} ${failed.name} failed ${failureText(failed)}`,
  );
  return t.done({ failedChecks: (input.status?.failedChecks ?? 0) + 1 });
}

/**
 * Rollback webhooks (§3.2 step 21), asked every tick in Progressing and WaitingPromotion: the
 * first answer of 202 or less rolls the canary back, as a failed-checks rollback would. Returns
 * undefined when no rollback is asked for (no hooks, or every hook said no).
 */
export function rollbackByHook(t: Tick, input: DecideInput): Decision | undefined {
  const prev = input.status;
  if (!prev || (prev.phase !== 'Progressing' && prev.phase !== 'WaitingPromotion')) return undefined;
  if (hooksOf(input.canary, 'rollback').length === 0) return undefined;
  const calls = callsOf(input, 'rollback');
  if (!calls) return askHooks(input, 'rollback', prev.phase);
  const asked = calls.find((c) => c.ok);
  if (!asked) return undefined;
  const target = `${targetName(input.canary)}.${input.canary.metadata.namespace ?? 'default'}`;
  t.setRoutes(100, 0, false);
  t.act({ type: 'scale-canary', replicas: 0 });
  t.event('warning', `Rollback check ${asked.name} passed`);
  t.event('warning', `Rolling back ${input.id} manual webhook invoked`);
  t.event('warning', `Canary failed! Scaling down ${target}`);
  return t.done({ phase: 'Failed', canaryWeight: 0, failedChecks: 0, iterations: 0 });
}

/**
 * Finishes a decision: asks for the post-rollout webhooks when it ends a run (a transition into
 * Succeeded or Failed) and they were not called yet, then records every call of the tick in the
 * decision and, when it steps, in its history entry (post-rollout answers as events, as Flagger).
 */
export function settleHooks(input: DecideInput, d: Decision): Decision {
  if (d.needsHooks || d.needsObservations) return d;
  const before = input.status?.phase;
  const ends =
    d.stepped && before !== undefined && !terminalPhases.has(before) && terminalPhases.has(d.status.phase);
  let out = d;
  if (ends && hooksOf(input.canary, 'post-rollout').length > 0) {
    const calls = callsOf(input, 'post-rollout');
    if (!calls) return { ...d, needsHooks: { type: 'post-rollout', phase: d.status.phase } };
    out = withEvents(
      d,
      calls.map((c) =>
        c.ok
          ? { severity: 'info' as const, message: `Post-rollout check ${c.name} passed` }
          : { severity: 'warning' as const, message: `Post-rollout hook ${c.name} failed ${failureText(c)}` },
      ),
    );
  }
  return withRecords(out, input.hooks ?? []);
}

function withEvents(d: Decision, events: Array<{ severity: 'info' | 'warning'; message: string }>): Decision {
  const message = [d.message, ...events.map((e) => e.message)].join('; ');
  const history = [...d.status.history];
  const last = history.at(-1);
  if (last) history[history.length - 1] = { ...last, message };
  return {
    ...d,
    message,
    actions: [...d.actions, ...events.map((e) => ({ type: 'event' as const, ...e }))],
    status: { ...d.status, history },
  };
}

function withRecords(d: Decision, calls: readonly HookRecord[]): Decision {
  if (calls.length === 0) return d;
  const hooks = [...calls];
  if (!d.stepped) return { ...d, hooks };
  const history = [...d.status.history];
  const last = history.at(-1);
  if (last) history[history.length - 1] = { ...last, hooks };
  return { ...d, hooks, status: { ...d.status, history } };
}

/**
 * The input with `need`'s webhooks answered without calling them, each as `ok` (simulate and
 * demo, which have no network: they assume every hook and gate says yes).
 */
export function assumeAnswered(input: DecideInput, need: HookNeed, ok: boolean): DecideInput {
  const calls = hooksOf(input.canary, need.type).map(
    (h): HookRecord => ({
      name: h.name,
      type: need.type,
      ok,
      snippet: 'not called (simulated)',
      attempts: 0,
      durationMs: 0,
    }),
  );
  const next: DecideInput = { ...input, hooks: [...(input.hooks ?? []), ...calls] };
  if (isGate(need.type)) next.gates = { ...input.gates, [need.type]: gateAnswer(calls) };
  return next;
}

/** Whether a hook type is one of the confirm-* gates. */
export const isGate = (type: HookType): type is GateType => (gateTypes as readonly string[]).includes(type);
