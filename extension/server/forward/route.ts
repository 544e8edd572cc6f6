// GET /api/v1/forwarding: the forwarder's health for the status bar and scripts. Behind the token
// (unlike /healthz): the endpoint and the error messages say where a team's spans go.
import type { Route } from '../api-routes';
import type { Forwarder } from './forwarder';

export function forwardingRoute(forwarder: Forwarder | null): Route {
  return {
    method: 'GET',
    pattern: /^\/api\/v1\/forwarding$/,
    handle: async () => ({ body: forwarder ? { ...forwarder.health() } : { enabled: false } }),
  };
}
