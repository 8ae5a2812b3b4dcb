/**
 * The canary status file `<folder of the Canary>/<name>.status.yaml`: Flagger's status fields
 * plus what Git adds (lastStepTime, a bounded verdict history). Written by one canonical
 * serializer; read back strictly so a hand-mangled file is a clear error, not a silent reset.
 */
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { type CanaryStatus, phases } from '../core/types.js';
import type { CanaryRef } from '../inputs/model.js';
import { statusProblem } from './status-checks.js';

export const statusApiVersion = 'gitcanary.dev/v1alpha1';

const phase = z.enum(phases);

const metricVerdict = z.object({
  name: z.string(),
  query: z.string().optional(),
  value: z.number().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  result: z.enum(['pass', 'fail', 'inconclusive']),
  reason: z.string(),
  policy: z.string().optional(),
  samples: z.number().optional(),
  comparison: z
    .object({
      method: z.enum(['rate-ratio', 'mann-whitney']),
      window: z.object({ start: z.string(), end: z.string() }),
      canary: z.object({ n: z.number(), errors: z.number().optional() }),
      primary: z.object({ n: z.number(), errors: z.number().optional() }),
      estimate: z.number().optional(),
      ci: z.tuple([z.number(), z.number()]).optional(),
      confidence: z.number(),
      tolerance: z.number(),
      p: z.number().optional(),
    })
    .optional(),
});

const liveRecord = z.object({
  by: z.enum(['cluster', 'kube-state-metrics', 'assume-interval']),
  commit: z.string().optional(),
  observedAt: z.string().optional(),
  afterSeconds: z.number().optional(),
  applier: z.string().optional(),
  message: z.string().optional(),
});

const hookRecord = z.object({
  name: z.string(),
  type: z.enum([
    'confirm-rollout',
    'pre-rollout',
    'rollout',
    'confirm-traffic-increase',
    'confirm-promotion',
    'post-rollout',
    'rollback',
    'event',
  ]),
  ok: z.boolean(),
  status: z.number().int().optional(),
  snippet: z.string(),
  attempts: z.number().int(),
  durationMs: z.number(),
});

const statusSchema = z.object({
  phase,
  canaryWeight: z.number().int().min(0).max(100),
  failedChecks: z.number().int().min(0),
  iterations: z.number().int(),
  lastAppliedSpec: z.string(),
  lastPromotedSpec: z.string(),
  lastTransitionTime: z.string(),
  lastStepTime: z.string(),
  trackedConfigs: z.record(z.string(), z.string()).default({}),
  conditions: z
    .array(
      z.object({
        type: z.literal('Promoted'),
        status: z.enum(['True', 'False', 'Unknown']),
        reason: phase,
        message: z.string(),
        lastUpdateTime: z.string(),
        lastTransitionTime: z.string(),
      }),
    )
    .default([]),
  history: z
    .array(
      z.object({
        time: z.string(),
        phase,
        canaryWeight: z.number(),
        failedChecks: z.number(),
        message: z.string(),
        verdict: z
          .object({
            result: z.enum(['pass', 'fail']),
            reason: z.string(),
            metrics: z.array(metricVerdict),
            live: z
              .object({ commit: z.string(), observedAt: z.string(), afterSeconds: z.number() })
              .optional(),
          })
          .optional(),
        hooks: z.array(hookRecord).optional(),
      }),
    )
    .default([]),
  request: z
    .object({
      action: z.enum(['promote', 'abort', 'retry', 'resume', 'pause']),
      requestedBy: z.string(),
      requestedAt: z.string(),
      message: z.string().optional(),
    })
    .optional(),
  halted: z.string().optional(),
  live: liveRecord.optional(),
  outbox: z
    .array(
      z.object({
        id: z.string(),
        at: z.string(),
        phase,
        events: z.array(z.object({ type: z.enum(['Normal', 'Warning']), message: z.string() })).optional(),
        alerts: z
          .array(
            z.object({
              severity: z.enum(['info', 'warn', 'error']),
              message: z.string(),
              metadata: z.boolean().optional(),
            }),
          )
          .optional(),
      }),
    )
    .optional(),
  approvals: z
    .array(
      z.object({
        gate: z.enum(['confirm-rollout', 'confirm-traffic-increase', 'confirm-promotion']),
        revision: z.string(),
        approvedBy: z.string(),
        approvedAt: z.string(),
        message: z.string().optional(),
      }),
    )
    .optional(),
  comments: z.object({ lastId: z.number().int(), lastAt: z.string() }).optional(),
  inconclusiveChecks: z.number().int().min(1).optional(),
});

const fileSchema = z.object({
  apiVersion: z.literal(statusApiVersion),
  kind: z.literal('CanaryStatus'),
  metadata: z.object({ name: z.string(), namespace: z.string() }),
  status: statusSchema,
});

/** Repository-relative path of a canary's status file. */
export const statusPath = (dir: string, ref: CanaryRef): string =>
  `${dir ? `${dir}/` : ''}${ref.name}.status.yaml`;

/**
 * Parses a status file. Throws an Error naming the field when it is not a valid status, so the
 * canary is reported instead of silently restarting from scratch. Contradictions (status-checks.ts)
 * are refused too; `now` (the run's time) also refuses times after it.
 */
export function parseStatus(content: string, file: string, now?: Date): CanaryStatus {
  let raw: unknown;
  try {
    raw = parse(content, { maxAliasCount: 100, prettyErrors: false });
  } catch (e) {
    // Never quote the file's content: it may not be ours (a link, a hand edit).
    const line = (e as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
    throw new Error(
      `${file}: not valid YAML${line ? ` (line ${line})` : ''}; restore it with git or delete it`,
    );
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const status = parsed.data.status as CanaryStatus;
  const problem = statusProblem(status, file, now);
  if (problem) throw new Error(problem);
  return status;
}

/** The status file's content: a header comment, then a CanaryStatus document. */
export function formatStatus(ref: CanaryRef, status: CanaryStatus): string {
  const doc = {
    apiVersion: statusApiVersion,
    kind: 'CanaryStatus',
    metadata: { name: ref.name, namespace: ref.namespace },
    status,
  };
  const header =
    `# Canary status for ${ref.namespace}/${ref.name}, written by gitcanary on every step.\n` +
    '# Not a Kubernetes object: keep it out of kustomizations. Act through `gitcanary promote|abort|…`.\n';
  return header + stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
}
