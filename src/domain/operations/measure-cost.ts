/** Gathers what the cost report needs (usage, users, stored bytes) and prices it. */
import type { PriceName } from '../../platform/operations-settings.ts';
import type { ItemStore } from '../../ports/item-store/item-store.ts';
import { countUsers } from '../identity/export-users.ts';
import { costReport, type CostReport, type MeasuredUsage, type Projection } from './cost.ts';

export interface CostServices {
  /** The user pool's table. */
  users: ItemStore;
  measuredUsage(): Promise<MeasuredUsage | undefined>;
  storedBytes(): Promise<{ tableBytes: number; objectBytes: number; notes?: string[] }>;
  prices: Partial<Record<PriceName, number>>;
}

export async function measureCost(projection: Projection, services: CostServices): Promise<CostReport> {
  const [measured, users, stored] = await Promise.all([
    services.measuredUsage(),
    countUsers(services),
    services.storedBytes(),
  ]);
  return costReport({
    measured,
    holdings: { users, tableBytes: stored.tableBytes, objectBytes: stored.objectBytes },
    prices: services.prices,
    projection,
    notes: stored.notes ?? [],
  });
}
