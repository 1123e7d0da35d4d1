import { describe, expect, it, vi } from 'vitest';
import { ConsumerLoop, ConsumerSet, type StreamHandler, type Subscriber } from './consumer-loop.ts';
import type { StreamConsumerOptions, StreamRecord } from './item-store.ts';

function record(n: number): StreamRecord {
  return {
    eventID: String(n),
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    eventVersion: '1.1',
    awsRegion: 'local',
    dynamodb: {
      Keys: { PK: { S: 'P' }, SK: { S: String(n) } },
      SequenceNumber: String(n),
      SizeBytes: 0,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
      ApproximateCreationDateTime: 0,
    },
  };
}

/** A log in memory, read one record a turn. */
class ArrayConsumer extends ConsumerLoop {
  position = 0;
  /** Called when a turn finds nothing new. */
  onIdle: (() => void) | undefined;
  constructor(
    private readonly log: StreamRecord[],
    subscriber: Subscriber,
  ) {
    super(subscriber);
  }
  drain(): Promise<void> {
    const upTo = this.log.length;
    return this.waitUntil(() => this.position >= upTo);
  }
  protected async turn(): Promise<boolean> {
    const next = this.log[this.position];
    if (!next) {
      this.onIdle?.();
      return false;
    }
    await this.handle([next]);
    this.position++;
    return true;
  }
}

/** A consumer of `log` started through a set whose poll interval is long: only wakes move it on. */
function start(log: StreamRecord[], handler: StreamHandler, options: StreamConsumerOptions = {}) {
  const consumers = new ConsumerSet<ArrayConsumer>({ pollIntervalMs: 60_000 });
  const subscription = consumers.add('test', handler, options, (each) => new ArrayConsumer(log, each));
  const [consumer] = consumers;
  return { consumers, consumer: consumer as ArrayConsumer, subscription };
}

describe('ConsumerSet', () => {
  it("fills in the engine's defaults and caps the batch at its limit", () => {
    const subscribers: Subscriber[] = [];
    const capped = new ConsumerSet<ArrayConsumer>({ pollIntervalMs: 50, maxBatchSize: 1000 });
    const keep = (each: Subscriber) => {
      subscribers.push(each);
      return new ArrayConsumer([], each);
    };
    void capped.add('big', async () => {}, { batchSize: 5000 }, keep);
    void capped.add('quick', async () => {}, { pollIntervalMs: 7 }, keep);
    expect(
      subscribers.map((each) => [each.name, each.settings.batchSize, each.settings.pollIntervalMs]),
    ).toEqual([
      ['big', 1000, 50],
      ['quick', 100, 7],
    ]);
    return capped.close();
  });
});

describe('ConsumerLoop', () => {
  it('drains without waiting out the poll interval', async () => {
    const log = [record(1)];
    const seen: string[] = [];
    const { consumers, subscription } = start(log, async (records) => {
      seen.push(...records.map((r) => r.eventID));
    });
    await subscription.drain();
    log.push(record(2));
    await subscription.drain();
    expect(seen).toEqual(['1', '2']);
    await consumers.close();
  });

  it('keeps a wake that comes between rests for the next rest, after a rest that ran its full time', async () => {
    const log = [record(1)];
    const seen: string[] = [];
    let failed = false;
    const { consumer, subscription } = start(log, async (records) => {
      // The first failure makes a backoff that runs out by itself.
      if (!failed) {
        failed = true;
        throw new Error('once');
      }
      seen.push(...records.map((r) => r.eventID));
    });
    consumer.onIdle = () => {
      consumer.onIdle = undefined;
      log.push(record(2));
      consumer.wake();
    };
    const deadline = Date.now() + 2000;
    while (seen.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(seen).toEqual(['1', '2']);
    await subscription.stop();
  });

  it('retries a failing batch after a backoff, telling onError which batch failed', async () => {
    const errors: [string, string[]][] = [];
    let attempts = 0;
    const { subscription } = start(
      [record(1)],
      async () => {
        if (attempts++ === 0) throw new Error('once');
      },
      { onError: (error, records) => errors.push([(error as Error).message, records.map((r) => r.eventID)]) },
    );
    const started = Date.now();
    await subscription.drain();
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(attempts).toBe(2);
    expect(errors).toEqual([['once', ['1']]]);
    await subscription.stop();
  });

  it('stop ends a backoff and settles pending drains', async () => {
    const { consumer, subscription } = start([record(1)], async () => {
      throw new Error('always');
    });
    const drained = subscription.drain();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const started = Date.now();
    await subscription.stop();
    await drained;
    expect(Date.now() - started).toBeLessThan(150);
    expect(consumer.position).toBe(0);
  });
});

describe('ConsumerLoop with a batch interval', () => {
  it('rests after a batch that caught up, whatever wakes it', async () => {
    const log = [record(1), record(2), record(3)];
    const seen: number[] = [];
    const started = Date.now();
    const { consumer, subscription } = start(log, async () => void seen.push(Date.now() - started), {
      batchIntervalMs: 150,
    });
    const waking = setInterval(() => consumer.wake(), 10);
    await vi.waitFor(() => expect(seen).toHaveLength(3), { timeout: 2000, interval: 20 });
    clearInterval(waking);
    // One record a turn, under the batch size: each caught up, so the next waited a rest.
    expect(seen[2]! - seen[0]!).toBeGreaterThanOrEqual(290);
    const stopping = Date.now();
    await subscription.stop();
    expect(Date.now() - stopping).toBeLessThan(150);
  });

  it('cuts the rest short for drain(), and does not rest after a full batch', async () => {
    const resting = start([record(1), record(2), record(3)], async () => {}, { batchIntervalMs: 5000 });
    const started = Date.now();
    await resting.consumer.drain();
    expect(Date.now() - started).toBeLessThan(1000);
    await resting.subscription.stop();
    const full = start([record(1), record(2), record(3)], async () => {}, {
      batchIntervalMs: 5000,
      batchSize: 1,
    });
    await vi.waitFor(() => expect(full.consumer.position).toBe(3), { timeout: 1000, interval: 20 });
    await full.subscription.stop();
  });
});
