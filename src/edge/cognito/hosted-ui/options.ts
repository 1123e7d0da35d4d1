import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IdentityServices } from '../../../domain/identity/model.ts';
import type { HostedUiSettings } from '../../../domain/identity/oauth.ts';
import type { Metrics } from '../../../platform/metrics.ts';
import type { IdentityVerifier } from '../../../ports/identity-verifier.ts';
import type { IpLimiter } from '../ip-limiter.ts';

/** What the hosted UI's endpoints are given; each endpoint takes only the part it uses. */
export interface HostedUiOptions {
  services: IdentityServices;
  verifier: IdentityVerifier;
  metrics: Metrics;
  hosted: HostedUiSettings;
  /** The per-address sign-in limit the Cognito API uses too: one budget per address. */
  limiter: IpLimiter;
  /** Keys the CSRF tokens (the signed double-submit cookie pattern). */
  csrfSecret: Buffer;
  baseUrl: () => string;
  log: (message: string, error: unknown) => void;
}

export type HostedUiHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
