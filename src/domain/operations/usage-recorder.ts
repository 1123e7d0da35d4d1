/**
 * What the cost report prices, counted by the running server from its own
 * metrics and kept across restarts: every snapshot adds what this process
 * counted to what earlier runs had left in the usage file.
 */
import type { Logger } from '../../platform/logger.ts';
import type { Clock } from '../../ports/clock.ts';
import { snapshotOf, type MetricFamily, type MetricSnapshot } from './alarm-evaluation.ts';
import { noUsage, type MeasuredUsage, type UsageCounts } from './cost.ts';

export interface UsageFile {
  load(): Promise<unknown>;
  save(usage: MeasuredUsage): Promise<void>;
}

/** The usage file's content, checked; throws on anything else. */
export function parseMeasuredUsage(value: unknown): MeasuredUsage | undefined {
  if (value === undefined) return undefined;
  const usage = value as Partial<MeasuredUsage>;
  const numbers = (object: unknown) =>
    typeof object === 'object' &&
    object !== null &&
    Object.values(object).every((v) => typeof v === 'number');
  if (
    usage.version !== 1 ||
    typeof usage.since !== 'string' ||
    typeof usage.measuredSeconds !== 'number' ||
    !numbers(usage.totals)
  )
    throw new Error('not a usage file of this version');
  return usage as MeasuredUsage;
}

export interface UsageRecorderServices {
  clock: Clock;
  readMetrics(): Promise<readonly MetricFamily[]>;
  file: UsageFile;
  logger: Pick<Logger, 'warn' | 'error'>;
}

const httpRoute = /^[A-Z]+ \//;

function sumOf(snapshot: MetricSnapshot, name: string, accept: (operation: string) => boolean = () => true) {
  let sum = 0;
  for (const sample of snapshot.get(name)?.values ?? []) {
    if (accept(String(sample.labels.operation ?? ''))) sum += sample.value;
  }
  return sum;
}

/** The counts in the metrics (since this process started), by what AWS bills them as. */
export function usageCountsOf(snapshot: MetricSnapshot): Omit<UsageCounts, 'realtimeMinutes'> {
  // Request labels are GraphQL operation names, `cognito:<Operation>` or `<METHOD> <route>`.
  const graphql = (operation: string) => !operation.startsWith('cognito:') && !httpRoute.test(operation);
  const media = (operation: string) =>
    operation.startsWith('GET /media') || operation.startsWith('HEAD /media');
  const upload = (operation: string) => operation.startsWith('PUT /upload');
  const cdnRequests = sumOf(snapshot, 'plaza_requests_total', media);
  let cacheHits = 0;
  for (const sample of snapshot.get('plaza_media_cache_requests_total')?.values ?? [])
    if (sample.labels.result === 'Hit') cacheHits += sample.value;
  return {
    readUnits: sumOf(snapshot, 'plaza_consumed_read_capacity_units_total'),
    writeUnits: sumOf(snapshot, 'plaza_consumed_write_capacity_units_total'),
    apiRequests: sumOf(snapshot, 'plaza_requests_total', graphql),
    // A media request the edge cache did not answer reads the object store (CloudFront's origin, S3).
    s3Requests: sumOf(snapshot, 'plaza_requests_total', upload) + Math.max(0, cdnRequests - cacheHits),
    cdnRequests,
    cdnBytes: sumOf(snapshot, 'plaza_response_bytes_total', media),
  };
}

export class UsageRecorder {
  private base: MeasuredUsage | undefined;
  private startedAt = 0;
  private baseline = usageCountsOf(new Map());
  private realtimeMinutes = 0;
  private lastSample = { at: 0, clients: 0 };
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly services: UsageRecorderServices) {}

  async start(): Promise<void> {
    const now = this.services.clock.now();
    try {
      this.base = parseMeasuredUsage(await this.services.file.load());
    } catch (error) {
      this.services.logger.warn({ err: error }, 'usage: the usage file could not be read; measuring anew');
    }
    const snapshot = snapshotOf(await this.services.readMetrics());
    this.baseline = usageCountsOf(snapshot);
    this.startedAt = now;
    this.lastSample = { at: now, clients: sumOf(snapshot, 'plaza_connected_clients') };
  }

  /** Samples and saves on a timer until `stop()`. */
  run(intervalMs: number): void {
    this.timer = setInterval(() => void this.snapshot(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.snapshot();
  }

  /** The usage so far (earlier runs and this one), saved to the usage file. Snapshots never overlap. */
  snapshot(): Promise<MeasuredUsage> {
    const next = this.running.then(() => this.take());
    this.running = next.catch(() => undefined);
    return next;
  }

  private async take(): Promise<MeasuredUsage> {
    const usage = await this.current();
    try {
      await this.services.file.save(usage);
    } catch (error) {
      this.services.logger.error({ err: error }, 'usage: the usage file could not be written');
    }
    return usage;
  }

  private async current(): Promise<MeasuredUsage> {
    const snapshot = snapshotOf(await this.services.readMetrics());
    const now = this.services.clock.now();
    // Connection minutes: the connected clients seen at each sample, held until the next.
    this.realtimeMinutes += (this.lastSample.clients * (now - this.lastSample.at)) / 60_000;
    this.lastSample = { at: now, clients: sumOf(snapshot, 'plaza_connected_clients') };
    const counts = usageCountsOf(snapshot);
    const before = this.base?.totals ?? noUsage;
    const totals = Object.fromEntries(
      (Object.keys(noUsage) as (keyof UsageCounts)[]).map((name) => [
        name,
        (before[name] ?? 0) +
          (name === 'realtimeMinutes' ? this.realtimeMinutes : counts[name] - this.baseline[name]),
      ]),
    ) as unknown as UsageCounts;
    return {
      version: 1,
      since: this.base?.since ?? new Date(this.startedAt).toISOString(),
      updatedAt: new Date(now).toISOString(),
      measuredSeconds: (this.base?.measuredSeconds ?? 0) + (now - this.startedAt) / 1000,
      totals,
    };
  }
}
