/**
 * The local stand-in for the pipeline Lambda's invocations: an in-process
 * queue with bounded concurrency and retries with exponential backoff. Work
 * survives a restart because every queued upload is also marked in the
 * table (GSI3 `MEDIA_JOB`); `recover` queues what a previous run left.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../platform/logger.ts';
import type { ItemStore } from '../../ports/item-store/item-store.ts';
import { MEDIA_JOBS } from './model.ts';
import type { ProcessOutcome } from './process-media.ts';

/** Jobs whose keys `matches` names run beside the others with their own concurrency. */
export interface MediaJobLane {
  concurrency: number;
  matches: (key: string) => boolean;
}

export interface MediaJobOptions {
  concurrency: number;
  /**
   * Slow kinds of job (videos) in lanes of their own, so that however many of them queue up,
   * the other jobs still start as soon as they arrive.
   */
  lanes?: MediaJobLane[];
  attempts: number;
  logger: Logger;
  /** First retry delay; doubled for each further attempt. */
  retryDelayMs?: number;
  onOutcome?: (outcome: ProcessOutcome | 'ERROR', seconds: number) => void;
}

/** One queued upload: its own id, and the request that queued it, for the log lines of its attempts. */
interface Job {
  key: string;
  log: Logger;
  lane: Lane;
}

interface Lane {
  concurrency: number;
  waiting: Job[];
  running: number;
}

/** Where a job came from: the id of the request that queued it, when a request did. */
export interface JobOrigin {
  reqId?: string;
}

export class MediaJobs {
  readonly #run: (key: string, log: Logger) => Promise<ProcessOutcome>;
  readonly #options: Required<Omit<MediaJobOptions, 'onOutcome' | 'lanes'>> &
    Pick<MediaJobOptions, 'onOutcome'>;
  /** The default lane first; a key goes to the first other lane that matches it. */
  readonly #lanes: (Lane & { matches: (key: string) => boolean })[];
  /** Keys queued or running: an upload is processed once however often it is announced. */
  readonly #known = new Set<string>();
  #running = 0;
  #closed = false;
  #idle: (() => void)[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();

  /** `run` gets the job's logger: every line it writes carries the job's id (and the request's). */
  constructor(run: (key: string, log: Logger) => Promise<ProcessOutcome>, options: MediaJobOptions) {
    this.#run = run;
    this.#options = { retryDelayMs: 500, ...options };
    this.#lanes = [
      { concurrency: options.concurrency, matches: () => true, waiting: [], running: 0 },
      ...(options.lanes ?? []).map((lane) => ({ ...lane, waiting: [], running: 0 })),
    ];
  }

  enqueue(key: string, origin: JobOrigin = {}): void {
    if (this.#closed || this.#known.has(key)) return;
    this.#known.add(key);
    const jobId = randomUUID();
    const log = this.#options.logger.child(origin.reqId ? { jobId, reqId: origin.reqId } : { jobId });
    log.debug({ key }, 'media job queued');
    const lane = this.#lanes.slice(1).find((candidate) => candidate.matches(key)) ?? this.#lanes[0]!;
    lane.waiting.push({ key, log, lane });
    this.#pump();
  }

  /** Queues the uploads a previous run received but did not finish. */
  async recover(store: ItemStore): Promise<number> {
    let cursor: string | undefined;
    let count = 0;
    do {
      const page = await store.query({
        index: 'GSI3',
        partition: MEDIA_JOBS,
        limit: 100,
        ...(cursor ? { cursor } : {}),
      });
      for (const item of page.items) {
        this.enqueue(String(item.key));
        count++;
      }
      cursor = page.cursor;
    } while (cursor);
    return count;
  }

  /** Resolves when nothing is queued, running or waiting to retry. */
  idle(): Promise<void> {
    if (this.#known.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const lane of this.#lanes) lane.waiting.length = 0;
    // What was running finishes; what was waiting stays marked in the table for the next start.
    if (this.#running > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  #pump(): void {
    for (const lane of this.#lanes) {
      while (!this.#closed && lane.running < lane.concurrency && lane.waiting.length > 0) {
        this.#start(lane.waiting.shift() as Job, 1);
      }
    }
  }

  #start(job: Job, attempt: number): void {
    this.#running++;
    job.lane.running++;
    void this.#attempt(job, attempt).finally(() => {
      this.#running--;
      job.lane.running--;
      this.#pump();
      this.#settle();
    });
  }

  async #attempt(job: Job, attempt: number): Promise<void> {
    const { key, log } = job;
    const started = performance.now();
    try {
      const outcome = await this.#run(key, log);
      const seconds = (performance.now() - started) / 1000;
      this.#options.onOutcome?.(outcome, seconds);
      log.info({ key, attempt, outcome, seconds }, 'media job finished');
      this.#known.delete(key);
    } catch (error) {
      this.#options.onOutcome?.('ERROR', (performance.now() - started) / 1000);
      if (attempt >= this.#options.attempts || this.#closed) {
        // Left marked in the table: the next start tries again.
        log.error({ err: error, key, attempt }, 'media job failed; giving up until restart');
        this.#known.delete(key);
        return;
      }
      const delay = this.#options.retryDelayMs * 2 ** (attempt - 1);
      log.warn({ err: error, key, attempt, delay }, 'media job failed; retrying');
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.#start(job, attempt + 1);
      }, delay);
      this.#timers.add(timer);
    }
  }

  #settle(): void {
    if (this.#running > 0 || (this.#known.size > 0 && !this.#closed)) return;
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}
