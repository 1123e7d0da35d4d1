/**
 * The read loop of a change-stream consumer, whatever engine it reads: take a
 * turn, back off while turns fail, rest when a turn found nothing, and settle
 * the drain() calls the turns have caught up with. Adapters say what a turn
 * reads (SQLite's change log, DynamoDB's shards) and where checkpoints go.
 */
import type { StreamConsumerOptions, StreamRecord, StreamSubscription } from './item-store.ts';

export type StreamHandler = (records: StreamRecord[]) => Promise<void>;

export interface ConsumerSettings {
  batchSize: number;
  pollIntervalMs: number;
  batchIntervalMs: number;
  onError: (error: unknown, records: StreamRecord[]) => void;
}

/** Who subscribed: the consumer's name (its checkpoint's), its handler and its settings. */
export interface Subscriber {
  name: string;
  handler: StreamHandler;
  settings: ConsumerSettings;
}

function consumerSettings(
  options: StreamConsumerOptions,
  defaults: { pollIntervalMs: number; maxBatchSize?: number },
): ConsumerSettings {
  const batchSize = options.batchSize ?? 100;
  return {
    batchSize: defaults.maxBatchSize === undefined ? batchSize : Math.min(batchSize, defaults.maxBatchSize),
    pollIntervalMs: options.pollIntervalMs ?? defaults.pollIntervalMs,
    batchIntervalMs: options.batchIntervalMs ?? 0,
    onError: options.onError ?? (() => {}),
  };
}

/** Capped exponential: 200 ms after the first failure, 30 s at most. */
function backoffMs(failures: number): number {
  return Math.min(30_000, 100 * 2 ** Math.min(failures, 9));
}

export abstract class ConsumerLoop {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  /** A wake that came while no sleep was under way: the next sleep returns at once. */
  private pendingWake = false;
  /** How many records the last batch held: a full one means more are waiting. */
  private lastBatchSize = 0;
  /** The batch whose handler threw in the current turn, for onError. */
  private failedBatch: StreamRecord[] = [];
  private readonly waiters: { ready: () => boolean; resolve: () => void }[] = [];

  constructor(protected readonly subscriber: Subscriber) {}

  /**
   * Reads what is new from the checkpoint on and hands it to `handle`, moving the
   * checkpoint after each batch; resolves whether it handled anything. A throw
   * retries the turn after a backoff: at-least-once, in order.
   */
  protected abstract turn(): Promise<boolean>;

  protected get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Cuts the current rest short (or the next one, if none is under way). */
  wake(): void {
    this.pendingWake = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }

  abstract drain(): Promise<void>;

  /** Resolves once `ready()` holds after a turn, or the consumer stops. */
  protected waitUntil(ready: () => boolean): Promise<void> {
    if (!this.running || ready()) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ ready, resolve });
      this.wake();
    });
  }

  /** Hands a batch to the subscriber's handler. */
  protected async handle(records: StreamRecord[]): Promise<void> {
    this.lastBatchSize = records.length;
    try {
      await this.subscriber.handler(records);
    } catch (error) {
      this.failedBatch = records;
      throw error;
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      let handled: boolean;
      try {
        handled = await this.turn();
      } catch (error) {
        this.subscriber.settings.onError(error, this.failedBatch);
        this.failedBatch = [];
        failures++;
        await this.backoff(backoffMs(failures));
        continue;
      }
      failures = 0;
      this.settleWaiters();
      if (!handled) await this.sleep(this.subscriber.settings.pollIntervalMs);
      else if (this.lastBatchSize < this.subscriber.settings.batchSize)
        // Caught up: with a batch interval, the next changes gather before the next turn.
        await this.rest(this.subscriber.settings.batchIntervalMs);
    }
  }

  private settleWaiters(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i] as { ready: () => boolean; resolve: () => void };
      if (waiter.ready()) {
        this.waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }

  /**
   * Waits out a batch interval: writes' wakes do not cut it short, a drain() does (its caller is
   * waiting, and a rest's timer does not keep the process alive), as does stopping.
   */
  private async rest(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (this.running && this.waiters.length === 0 && Date.now() < until)
      await this.sleep(until - Date.now());
  }

  /** Waits out a retry delay; new writes and drain() do not cut it short, stopping does. */
  private async backoff(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (this.running && Date.now() < until) await this.sleep(until - Date.now());
  }

  private sleep(ms: number): Promise<void> {
    if (!this.running || this.pendingWake) {
      this.pendingWake = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        // A wake after the timer fired must stay pending for the next sleep, not be spent here.
        if (this.wakeUp === wake) this.wakeUp = undefined;
        resolve();
      };
      const wake = () => {
        this.pendingWake = false;
        done();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.wakeUp = wake;
    });
  }
}

/** A stream's running consumers: each subscription starts one, stopping or closing ends it. */
export class ConsumerSet<T extends ConsumerLoop> implements Iterable<T> {
  private readonly loops = new Set<T>();

  /** The engine's defaults for what a subscriber leaves out. */
  constructor(private readonly defaults: { pollIntervalMs: number; maxBatchSize?: number }) {}

  /** Starts the consumer `create` makes for a subscriber, the engine's defaults filled in for its options. */
  add(
    name: string,
    handler: StreamHandler,
    options: StreamConsumerOptions,
    create: (subscriber: Subscriber) => T,
  ): StreamSubscription {
    const loop = create({ name, handler, settings: consumerSettings(options, this.defaults) });
    this.loops.add(loop);
    loop.start();
    return {
      stop: async () => {
        this.loops.delete(loop);
        await loop.stop();
      },
      drain: () => loop.drain(),
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.loops].map((loop) => loop.stop()));
    this.loops.clear();
  }

  [Symbol.iterator](): Iterator<T> {
    return this.loops[Symbol.iterator]();
  }
}
