/**
 * The operator's routes under /admin, for the admin credentials only (the
 * same ones the pool's Admin* operations take): a request signed with them
 * (AWS Signature V4, as the AWS SDKs sign), or HTTP Basic with the access key
 * id as user and the secret as password (`curl -u id:secret`).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AlarmStatus } from '../../domain/operations/alarm-monitor.ts';
import type { CostReport, Projection } from '../../domain/operations/cost.ts';
import { isPlazaError } from '../../platform/errors.ts';
import { verifySigV4 } from '../cognito/sigv4.ts';

export interface AdminCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface AdminRoutesOptions {
  credentials: AdminCredentials | undefined;
  now: () => number;
  alarms: () => AlarmStatus[];
  cost: (projection: Projection) => Promise<CostReport>;
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
            .send({ error: 'Unauthorized', message: 'The admin credentials are required' });
      });
      admin.get('/alarms', async () => ({ alarms: options.alarms() }));
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
          if (isPlazaError(error, 'BadInput'))
            return reply.code(400).send({ error: 'BadInput', message: error.message });
          throw error;
        }
      });
    },
    { prefix: '/admin' },
  );
}
