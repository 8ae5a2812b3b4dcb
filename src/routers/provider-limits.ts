/**
 * What the weight-only providers (Traefik, Contour, SMI/Linkerd/OSM, Gloo, Kuma, APISIX) cannot
 * honour. Flagger silently ignores these analysis features on such providers; gitcanary refuses
 * the spec instead, naming the field.
 */
import { analysisOf } from '../inputs/defaults.js';
import type { LoadedCanary } from '../inputs/model.js';
import type { RouterIssue } from './types.js';

/** Analysis features a provider may lack. */
export type LimitedFeature = 'match' | 'mirror' | 'sessionAffinity';

const featureNames: Record<LimitedFeature, string> = {
  match: 'A/B testing (analysis.match)',
  mirror: 'traffic mirroring (analysis.mirror)',
  sessionAffinity: 'session affinity (analysis.sessionAffinity)',
};

/**
 * Dot path of the analysis block: `spec.analysis`, or `spec.canaryAnalysis` when only that is set.
 * @example analysisAt(deprecatedCanary) // 'spec.canaryAnalysis'
 */
export const analysisAt = (c: LoadedCanary): string =>
  c.canary.spec.analysis || !c.canary.spec.canaryAnalysis ? 'spec.analysis' : 'spec.canaryAnalysis';

/**
 * One issue per feature of `lacking` that the canary uses.
 * @example lackingFeatures(mirroring, 'traefik', ['match', 'mirror', 'sessionAffinity'])
 * // [{ path: 'spec.analysis.mirror', message: 'traffic mirroring (analysis.mirror) is not supported by the traefik router' }]
 */
export function lackingFeatures(
  c: LoadedCanary,
  router: string,
  lacking: readonly LimitedFeature[],
): RouterIssue[] {
  const a = analysisOf(c.canary);
  const used: Record<LimitedFeature, boolean> = {
    match: (a?.match?.length ?? 0) > 0,
    mirror: a?.mirror === true,
    sessionAffinity: a?.sessionAffinity !== undefined,
  };
  return lacking
    .filter((f) => used[f])
    .map((f) => ({
      path: `${analysisAt(c)}.${f}`,
      message: `${featureNames[f]} is not supported by the ${router} router`,
    }));
}
