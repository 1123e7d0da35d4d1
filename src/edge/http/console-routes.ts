/**
 * What the operator console at /admin reads and does beyond alarms and cost: the metrics' recent
 * history, the daily analytics, the backups, and user lookup with sessions, enablement, deletion and groups. Registered
 * inside the /admin scope, behind its access check (admin credentials or a moderator's token).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { statsDaysOf, type DayStats } from '../../domain/analytics/daily-stats.ts';
import type { SeriesHistory } from '../../domain/operations/metric-history.ts';
import { errorCatalogue, isPlazaError } from '../../platform/errors.ts';
import type { DirectoryUser, UserDirectory } from '../../ports/user-directory.ts';

export interface BackupSummary {
  id: string;
  createdAt: string;
  completedAt: string;
  databaseBytes: number;
  mediaObjects: number;
  mediaBytes: number;
}

export interface ConsoleRoutesOptions {
  /** The charted metrics, one datapoint per sampling period. */
  history: () =>
    | { periodSeconds: number; series: SeriesHistory[] }
    | Promise<{ periodSeconds: number; series: SeriesHistory[] }>;
  /** The last `days` days' analytics, today last, as `plaza stats --json` prints them. */
  dailyStats: (days: number) => Promise<DayStats[]>;
  /** The local backups, newest first; BadInput when this engine keeps none (DynamoDB). */
  backups: () => Promise<BackupSummary[]>;
  /** Absent when no user directory is reachable. */
  directory: UserDirectory | undefined;
  /** A Plaza profile's username to the user's id, so operators can type the name people see. */
  userIdByUsername: (username: string) => Promise<string | undefined>;
}

const userActions = ['disable', 'enable', 'sign-out'] as const;
type UserAction = (typeof userActions)[number];

/** A domain error in HTTP's terms, from the one catalogue; anything else is the server's fault. */
async function answer(reply: FastifyReply, work: () => Promise<unknown>) {
  try {
    return await work();
  } catch (error) {
    if (!isPlazaError(error)) throw error;
    const status = errorCatalogue[error.code].status;
    if (status >= 500) throw error;
    return reply.code(status).send({ error: error.code, message: error.message });
  }
}

async function describeUser(directory: UserDirectory, user: DirectoryUser) {
  return { ...user, groups: await directory.listGroups(user.sub) };
}

/** Who did what to whom, in the server's log: the console's actions are operators' decisions. */
function logAction(request: FastifyRequest, action: string, sub: string, detail?: string) {
  request.log.info({ operator: request.operator, action, user: sub, detail }, `console: ${action} ${sub}`);
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The console's operator: a moderator's sub, or `admin` for the admin credentials. */
    operator?: string;
  }
}

export function registerConsoleRoutes(admin: FastifyInstance, options: ConsoleRoutesOptions): void {
  admin.get('/metrics', async () => options.history());
  // GET /admin/stats?days=N (7 when absent), the days of `plaza stats --days N --json`.
  admin.get('/stats', async (request, reply) =>
    answer(reply, async () => {
      const { days = '7' } = request.query as Record<string, unknown>;
      return { days: await options.dailyStats(statsDaysOf(String(days))) };
    }),
  );
  admin.get('/backups', async (_request, reply) => {
    try {
      return { backups: await options.backups() };
    } catch (error) {
      // DynamoDB keeps its own backups: the console says so instead of listing none.
      if (isPlazaError(error, 'BadInput')) return reply.send({ backups: [], unavailable: error.message });
      throw error;
    }
  });

  const directoryOf = (reply: FastifyReply): UserDirectory | undefined => {
    if (!options.directory)
      void reply.code(404).send({ error: 'NotFound', message: 'No user directory is configured' });
    return options.directory;
  };

  // GET /admin/users?q=<email, username, @profile name or sub>
  admin.get('/users', async (request, reply) => {
    const directory = directoryOf(reply);
    if (!directory) return reply;
    const query = String((request.query as Record<string, unknown>).q ?? '').trim();
    if (query === '' || query.length > 256)
      return reply.code(400).send({ error: 'BadInput', message: 'q: an email, a username or a user id' });
    return answer(reply, async () => {
      let user = query.startsWith('@') ? undefined : await directory.findUser(query);
      if (!user) {
        const id = await options.userIdByUsername(query.replace(/^@/, ''));
        user = id ? await directory.findUser(id) : undefined;
      }
      if (!user) return reply.code(404).send({ error: 'NotFound', message: `No user ${query}` });
      return { user: await describeUser(directory, user) };
    });
  });

  admin.post('/users/:sub/:action', async (request, reply) => {
    const directory = directoryOf(reply);
    if (!directory) return reply;
    const { sub, action } = request.params as { sub: string; action: string };
    if (!userActions.includes(action as UserAction))
      return reply
        .code(404)
        .send({ error: 'NotFound', message: `No action ${action}: ${userActions.join(', ')}` });
    return answer(reply, async () => {
      if (action === 'sign-out') await directory.signOutEverywhere(sub);
      else await directory.setEnabled(sub, action === 'enable');
      logAction(request, action, sub);
      const user = await directory.findUser(sub);
      return { user: user ? await describeUser(directory, user) : undefined };
    });
  });

  admin.delete('/users/:sub', async (request, reply) => {
    const directory = directoryOf(reply);
    if (!directory) return reply;
    const { sub } = request.params as { sub: string };
    return answer(reply, async () => {
      if (!(await directory.findUser(sub)))
        return reply.code(404).send({ error: 'NotFound', message: `No user ${sub}` });
      await directory.deleteUser(sub);
      logAction(request, 'delete', sub);
      return reply.code(204).send();
    });
  });

  for (const method of ['PUT', 'DELETE'] as const) {
    admin.route({
      method,
      url: '/users/:sub/groups/:group',
      handler: async (request, reply) => {
        const directory = directoryOf(reply);
        if (!directory) return reply;
        const { sub, group } = request.params as { sub: string; group: string };
        return answer(reply, async () => {
          if (method === 'PUT') await directory.addToGroup(sub, group);
          else await directory.removeFromGroup(sub, group);
          logAction(request, method === 'PUT' ? 'add-to-group' : 'remove-from-group', sub, group);
          return { groups: await directory.listGroups(sub) };
        });
      },
    });
  }
}
