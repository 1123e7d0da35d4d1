import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { listReports } from './list-reports.ts';
import { reportContent } from './report-content.ts';
import { resolveReport } from './resolve-report.ts';

let world: SocialWorld;
afterEach(() => world.close());

describe('listReports', () => {
  it('lists open reports oldest first, in pages, and resolved ones newest first', async () => {
    world = socialWorld();
    const [ana, ben, cy] = [await world.user('ana'), await world.user('ben'), await world.user('cy')];
    const services = { ...world.social, directory: { setEnabled: async () => {} } };
    const ids: string[] = [];
    for (const [reporter, reported] of [
      [ana, ben],
      [ben, cy],
      [cy, ana],
    ] as const) {
      world.clock.advance(1000);
      ids.push((await reportContent(reporter, { userId: reported, reason: 'SPAM' }, world.social)).id);
    }
    const first = await listReports({ limit: 2 }, world.social);
    expect(first.items.map((report) => report.id)).toEqual(ids.slice(0, 2));
    const second = await listReports({ limit: 2, cursor: first.cursor! }, world.social);
    expect(second.items.map((report) => report.id)).toEqual(ids.slice(2));

    await resolveReport(cy, ids[0]!, 'DISMISS', services);
    world.clock.advance(1000);
    await resolveReport(cy, ids[2]!, 'DISMISS', services);
    expect((await listReports({}, world.social)).items.map((report) => report.id)).toEqual([ids[1]]);
    expect(
      (await listReports({ status: 'RESOLVED' }, world.social)).items.map((report) => report.id),
    ).toEqual([ids[2], ids[0]]);
    await failsWith(listReports({ status: 'CLOSED' }, world.social), 'BadInput');
    await failsWith(listReports({ limit: 0 }, world.social), 'BadInput');
  });
});
