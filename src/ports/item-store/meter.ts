/** Where an ItemStore reports the capacity every call consumed (metrics, the cost report). */
export interface CapacityMeter {
  consumed(usage: { table: string; index?: string; readUnits: number; writeUnits: number }): void;
}

export const noMeter: CapacityMeter = { consumed: () => {} };
