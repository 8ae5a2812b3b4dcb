/**
 * The `kustomization.yaml` of a rendered folder: lists every rendered file so that the user's
 * kustomization only has to list `rendered/`.
 */

/**
 * A Kustomization whose `resources` are the given file names, sorted.
 * @example kustomization(['service-podinfo.yaml', 'deployment-podinfo.yaml']).resources
 * // ['deployment-podinfo.yaml', 'service-podinfo.yaml']
 */
export function kustomization(files: readonly string[]): Record<string, unknown> {
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [...files].sort(),
  };
}
