/**
 * The traffic-provider registry: one Router per supported provider. An unknown or not yet
 * supported provider is an error naming the supported ones, never a silent fallback.
 */
import type { ProviderId } from '../inputs/schema.js';
import { apisixRouter } from './apisix.js';
import { appMeshRouter, appMeshV1beta2Router } from './appmesh.js';
import { contourRouter } from './contour.js';
import { gatewayApiV1beta1Router, gatewayApiV1Router } from './gateway-api.js';
import { glooRouter } from './gloo.js';
import { istioRouter } from './istio.js';
import { knativeRouter } from './knative.js';
import { kubernetesRouter } from './kubernetes.js';
import { kumaRouter } from './kuma.js';
import { nginxRouter } from './nginx.js';
import { skipperRouter } from './skipper.js';
import { linkerdRouter, osmRouter, smiV1alpha1Router, smiV1alpha2Router, smiV1alpha3Router } from './smi.js';
import { traefikRouter } from './traefik.js';
import type { Router } from './types.js';

/** The router of each supported provider. */
export const routers = {
  apisix: apisixRouter,
  appmesh: appMeshRouter,
  'appmesh:v1beta2': appMeshV1beta2Router,
  contour: contourRouter,
  'gatewayapi:v1': gatewayApiV1Router,
  'gatewayapi:v1beta1': gatewayApiV1beta1Router,
  gloo: glooRouter,
  istio: istioRouter,
  knative: knativeRouter,
  kubernetes: kubernetesRouter,
  kuma: kumaRouter,
  linkerd: linkerdRouter,
  nginx: nginxRouter,
  osm: osmRouter,
  skipper: skipperRouter,
  'smi:v1alpha1': smiV1alpha1Router,
  'smi:v1alpha2': smiV1alpha2Router,
  'smi:v1alpha3': smiV1alpha3Router,
  traefik: traefikRouter,
} satisfies Partial<Record<ProviderId, Router>>;

/** Providers gitcanary can render, sorted. */
export const supportedProviders = (): string[] => Object.keys(routers).sort();

/**
 * The router for `provider`; throws an Error listing the supported providers otherwise.
 * @example routerFor('crossover')
 * // throws: provider "crossover" is not supported yet; supported: apisix, appmesh, appmesh:v1beta2, …
 */
export function routerFor(provider: string): Router {
  const router: Router | undefined = Object.hasOwn(routers, provider)
    ? routers[provider as keyof typeof routers]
    : undefined;
  if (!router)
    throw new Error(
      `provider "${provider}" is not supported yet; supported: ${supportedProviders().join(', ')}`,
    );
  return router;
}
