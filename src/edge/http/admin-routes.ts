/**
 * The operator's routes under /admin, for the admin credentials (the same
 * ones the pool's Admin* operations take): a request signed with them (AWS
 * Signature V4, as the AWS SDKs sign), or HTTP Basic with the access key id as
 * user and the secret as password (`curl -u id:secret`); and for the operator
 * console in the browser, a user-pool token (`Authorization: Bearer <token>`)
 * whose `cognito:groups` names the moderators group.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AlarmStatus } from '../../domain/operations/alarm-monitor.ts';
import type { CostReport, Projection } from '../../domain/operations/cost.ts';
import { errorCatalogue, isPlazaError } from '../../platform/errors.ts';
import type { AlarmView } from '../../ports/alarm-source.ts';
import type { IdentityVerifier } from '../../ports/identity-verifier.ts';
import { verifySigV4 } from '../cognito/sigv4.ts';
import { registerConsoleRoutes, type ConsoleRoutesOptions } from './console-routes.ts';

export interface AdminCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface AdminRoutesOptions {
  credentials: AdminCredentials | undefined;
  now: () => number;
  /** The server's own alarms, or (on AWS) CloudWatch's. */
  alarms: () => AlarmStatus[] | Promise<AlarmView[]>;
  cost: (projection: Projection) => Promise<CostReport>;
  /** Moderators' tokens, checked by the pool's verifier; absent, only the admin credentials get in. */
  moderators?: { verifier: IdentityVerifier; group: string };
  console: ConsoleRoutesOptions;
}

/** Whether a verified user-pool token's `cognito:groups` names the group. */
function inGroup(claims: Record<string, unknown>, group: string): boolean {
  const groups = claims['cognito:groups'];
  return Array.isArray(groups) && groups.includes(group);
}

/**
 * A moderator's token: the operator's sub, or the refusal (401 for no valid token, 403 for
 * a valid one of someone outside the group).
 */
async function moderatorOf(
  token: string,
  moderators: NonNullable<AdminRoutesOptions['moderators']>,
): Promise<{ sub: string } | { status: 401 | 403; error: string; message: string }> {
  let claims: Record<string, unknown>;
  let sub: string;
  try {
    ({ claims, sub } = await moderators.verifier.verify(token));
  } catch {
    return { status: 401, error: 'Unauthorized', message: 'The token is invalid or expired' };
  }
  if (!inGroup(claims, moderators.group))
    return { status: 403, error: 'Forbidden', message: `For the ${moderators.group} group only` };
  return { sub };
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
const sameText = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

/** Whether the request carries the admin credentials, signed (SigV4) or in Basic authentication. */
export function isAdminRequest(
  request: FastifyRequest,
  credentials: AdminCredentials,
  nowMs: number,
): boolean {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return false;
  if (header.startsWith('AWS4-HMAC-SHA256 ')) {
    const [path = '/', query = ''] = request.url.split('?');
    const body =
      typeof request.body === 'string' ? request.body : request.body ? JSON.stringify(request.body) : '';
    return verifySigV4(
      { method: request.method, path, query, headers: request.headers, body },
      credentials,
      nowMs,
    );
  }
  const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header);
  if (!basic) return false;
  const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  // Both compared, always, so the answer takes as long whichever part is wrong.
  const idMatches = sameText(decoded.slice(0, colon), credentials.accessKeyId);
  const secretMatches = sameText(decoded.slice(colon + 1), credentials.secretAccessKey);
  return idMatches && secretMatches;
}

export async function registerAdminRoutes(
  server: FastifyInstance,
  options: AdminRoutesOptions,
): Promise<void> {
  await server.register(
    async (admin) => {
      admin.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
        const bearer = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
        if (bearer && options.moderators) {
          const moderator = await moderatorOf(bearer[1] as string, options.moderators);
          if ('status' in moderator)
            return reply.code(moderator.status).send({ error: moderator.error, message: moderator.message });
          request.operator = moderator.sub;
          return;
        }
        if (!options.credentials)
          return reply.code(403).send({
            error: 'Forbidden',
            message:
              'No admin credentials are configured (PLAZA_ADMIN_ACCESS_KEY_ID, PLAZA_ADMIN_SECRET_ACCESS_KEY)',
          });
        if (!isAdminRequest(request, options.credentials, options.now()))
          return reply
            .code(401)
            .header('www-authenticate', 'Basic realm="plaza-admin", charset="UTF-8"')
            .send({
              error: 'Unauthorized',
              message: "The admin credentials or a moderator's token are required",
            });
        request.operator = 'admin';
      });
      registerConsoleRoutes(admin, options.console);
      admin.get('/alarms', async () => ({ alarms: await options.alarms() }));
      // GET /admin/cost?mau=N or ?scale=F, as `plaza cost --json`.
      admin.get('/cost', async (request, reply) => {
        const query = request.query as Record<string, string | undefined>;
        const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));
        const projection: Projection = {};
        const mau = number(query.mau);
        const scale = number(query.scale);
        if (mau !== undefined) projection.mau = mau;
        if (scale !== undefined) projection.scale = scale;
        try {
          return await options.cost(projection);
        } catch (error) {
          // Bad input, or a deployment without a projection (AWS's bill is Cost Explorer's).
          if (isPlazaError(error) && errorCatalogue[error.code].status < 500)
            return reply
              .code(errorCatalogue[error.code].status)
              .send({ error: error.code, message: error.message });
          throw error;
        }
      });
    },
    { prefix: '/admin' },
  );
}
