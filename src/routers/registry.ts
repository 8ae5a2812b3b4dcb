/**
 * The traffic-provider registry: one Router per supported provider. An unknown or not yet
 * supported provider is an error naming the supported ones, never a silent fallback.
 */
import type { ProviderId } from '../spec/schema.js';
import { gatewayApiV1beta1Router, gatewayApiV1Router } from './gateway-api.js';
import { istioRouter } from './istio.js';
import type { Router } from './types.js';

/** The router of each supported provider. */
export const routers = {
  'gatewayapi:v1': gatewayApiV1Router,
  'gatewayapi:v1beta1': gatewayApiV1beta1Router,
  istio: istioRouter,
} satisfies Partial<Record<ProviderId, Router>>;

/** Providers gitcanary can render, sorted. */
export const supportedProviders = (): string[] => Object.keys(routers).sort();

/**
 * The router for `provider`; throws an Error listing the supported providers otherwise.
 * @example routerFor('traefik')
 * // throws: provider "traefik" is not supported yet; supported: gatewayapi:v1, gatewayapi:v1beta1, istio
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
