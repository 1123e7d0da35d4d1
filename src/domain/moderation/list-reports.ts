import { reportsPartition } from '../social/keys.ts';
import { pageSize, type Page } from '../social/model.ts';
import { reportStatuses, requireOneOf, toReport, type ModerationServices, type Report } from './model.ts';

/** The moderators' queue: open reports oldest first, or resolved ones newest first. */
export async function listReports(
  options: { status?: string | null; limit?: number; cursor?: string },
  { store }: Pick<ModerationServices, 'store'>,
): Promise<Page<Report>> {
  const status = options.status == null ? 'OPEN' : requireOneOf(options.status, reportStatuses, 'status');
  const page = await store.query({
    index: 'GSI3',
    partition: reportsPartition(status),
    descending: status === 'RESOLVED',
    limit: pageSize(options.limit),
    ...(options.cursor ? { cursor: options.cursor } : {}),
  });
  return { items: page.items.map(toReport), cursor: page.cursor };
}
