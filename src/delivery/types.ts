/**
 * How a step reaches Git: a direct commit on the branch, or a pull request per step on the
 * branch `gitcanary/<namespace>/<name>` that a person merges. Chosen per repository
 * (`gitcanary.yaml` `delivery:`), per canary (annotation `gitcanary.dev/delivery`) and per step
 * (the step policy).
 */

export type DeliveryMode = 'commit' | 'pull-request';

/** What a run did to a canary's step pull request. */
export interface PullRequestReport {
  /** `namespace/name`. */
  canary: string;
  number: number;
  url: string;
  /** `unchanged`: the open PR already carried this evidence (no API write). */
  action: 'created' | 'updated' | 'unchanged' | 'closed';
  /** The weights the PR moves between (a promotion or scale-up keeps the weight). */
  fromWeight: number;
  toWeight: number;
}
