import { costReportOf } from '../../app/cost.ts';
import { formatCostReport } from '../../domain/operations/cost.ts';
import { loadConfig } from '../../platform/config.ts';
import { openExistingStores } from '../../app/operations.ts';

export async function costCommand(options: { mau?: number; scale?: number; json?: boolean }): Promise<void> {
  const config = loadConfig();
  const stores = await openExistingStores(config);
  try {
    const report = await costReportOf(config, stores, undefined, {
      ...(options.mau !== undefined ? { mau: options.mau } : {}),
      ...(options.scale !== undefined ? { scale: options.scale } : {}),
    });
    console.log(options.json ? JSON.stringify(report, null, 2) : formatCostReport(report));
  } finally {
    await stores.close();
  }
}
