/**
 * The record of what was sent: `<folder of the Canary>/<name>.notified.status.yaml`, the ids of
 * the transitions whose alerts and event messages went out, newest last. A file of its own, not
 * a field of the status file, so recording a send never touches the lines a step commit wrote
 * (a person's `git revert` of that step stays clean). Bounded; read strictly.
 */
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import type { CanaryRef } from '../inputs/model.js';
import { statusApiVersion } from '../status/status-file.js';

/** Ids kept: far more than the outbox can hold (`outboxLimit`), so a kept entry is never resent. */
export const notifiedLimit = 100;

const fileSchema = z.object({
  apiVersion: z.literal(statusApiVersion),
  kind: z.literal('CanaryNotified'),
  metadata: z.object({ name: z.string(), namespace: z.string() }),
  sent: z.array(z.object({ id: z.string(), at: z.string(), by: z.enum(['writer', 'takeover']) })),
});

export type SentRecord = z.infer<typeof fileSchema>['sent'][number];

/** Repository-relative path of a canary's record of sent transitions (a `*.status.yaml`: never discovered as a spec). */
export const notifiedPath = (dir: string, ref: CanaryRef): string =>
  `${dir ? `${dir}/` : ''}${ref.name}.notified.status.yaml`;

/** The records of a file's content (none when there is no file). Throws naming the file when it is not one. */
export function parseNotified(content: string | undefined, file: string): SentRecord[] {
  if (content === undefined) return [];
  let raw: unknown;
  try {
    raw = parse(content, { maxAliasCount: 10 });
  } catch {
    throw new Error(`${file}: not valid YAML; restore it with git or delete it`);
  }
  const r = fileSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new Error(`${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return r.data.sent;
}

/** The file with `added` recorded after `sent` (ids already there are not repeated), the newest `notifiedLimit` kept. */
export function formatNotified(ref: CanaryRef, sent: SentRecord[], added: SentRecord[]): string {
  const known = new Set(sent.map((s) => s.id));
  const all = [...sent, ...added.filter((a) => !known.has(a.id))].slice(-notifiedLimit);
  const doc = {
    apiVersion: statusApiVersion,
    kind: 'CanaryNotified',
    metadata: { name: ref.name, namespace: ref.namespace },
    sent: all,
  };
  const header =
    `# Alerts and event messages gitcanary has sent for ${ref.namespace}/${ref.name} (transition ids).\n` +
    '# Written after each send; deleting it makes the next run send pending transitions again.\n';
  return header + stringify(doc, { lineWidth: 0 });
}
