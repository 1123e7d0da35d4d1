/**
 * Model-based property test: random sequences of ItemStore operations give the
 * same results on every engine and on a plain in-memory model of DynamoDB's
 * semantics, written independently of the engines.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type {
  AttributeValue,
  Condition,
  Item,
  ItemStore,
  Key,
} from '../../src/ports/item-store/item-store.ts';
import { engines, type EngineHarness } from './engines.ts';

type Outcome = { ok: unknown } | { error: string };

/** The model: a sorted map and the rules, nothing else. */
class Model {
  private readonly items = new Map<string, Item>();
  private id = (key: Key) => `${key.PK}\u0000${key.SK}`;

  private holds(current: Item | undefined, conditions: Condition[] = []): boolean {
    return conditions.every((c) => {
      if (c.op === 'itemExists') return current !== undefined;
      if (c.op === 'itemNotExists') return current === undefined;
      if (c.op === 'attributeNotExists') return current?.[c.attribute] === undefined;
      if (c.op === '=')
        return current !== undefined && JSON.stringify(current[c.attribute]) === JSON.stringify(c.value);
      throw new Error(`the model does not use ${c.op}`);
    });
  }

  get(key: Key): Outcome {
    return { ok: this.items.get(this.id(key)) };
  }

  put(item: Item, conditions?: Condition[]): Outcome {
    if (!this.holds(this.items.get(this.id(item as unknown as Key)), conditions))
      return { error: 'ConditionalCheckFailedException' };
    this.items.set(this.id(item as unknown as Key), item);
    return { ok: undefined };
  }

  delete(key: Key, conditions?: Condition[]): Outcome {
    if (!this.holds(this.items.get(this.id(key)), conditions))
      return { error: 'ConditionalCheckFailedException' };
    this.items.delete(this.id(key));
    return { ok: undefined };
  }

  /** The item after ADD n and SET/REMOVE label, or undefined when ADD meets a string. */
  private updated(key: Key, add: number, label: string | undefined): Item | undefined {
    const next: Item = { ...(this.items.get(this.id(key)) ?? { PK: key.PK, SK: key.SK }) };
    if (typeof next.n === 'string') return undefined;
    next.n = ((next.n as number | undefined) ?? 0) + add;
    if (label === undefined) delete next.label;
    else next.label = label;
    return next;
  }

  update(key: Key, add: number, label: string | undefined, conditions?: Condition[]): Outcome {
    if (!this.holds(this.items.get(this.id(key)), conditions))
      return { error: 'ConditionalCheckFailedException' };
    const next = this.updated(key, add, label);
    if (next === undefined) return { error: 'ValidationException' };
    this.items.set(this.id(key), next);
    return { ok: next };
  }

  transact(actions: Action[]): Outcome {
    const keys = actions.map((a) => this.id(a.key));
    if (new Set(keys).size !== keys.length) return { error: 'ValidationException' };
    const failed = actions.map((a) => !this.holds(this.items.get(this.id(a.key)), a.conditions));
    if (failed.some(Boolean)) return { error: 'TransactionCanceledException' };
    // An update that cannot apply (ADD to a string) cancels the transaction too.
    const invalid = actions.some(
      (a) => a.kind === 'update' && this.updated(a.key, a.n, undefined) === undefined,
    );
    if (invalid) return { error: 'TransactionCanceledException' };
    for (const a of actions) {
      if (a.kind === 'put') this.items.set(this.id(a.key), { ...a.key, n: a.n });
      else if (a.kind === 'delete') this.items.delete(this.id(a.key));
      else {
        this.items.set(this.id(a.key), this.updated(a.key, a.n, undefined) as Item);
      }
    }
    return { ok: undefined };
  }

  query(pk: string, prefix: string, descending: boolean): Outcome {
    const bytes = (s: string) => Buffer.from(s, 'utf8');
    const items = [...this.items.values()]
      .filter((item) => item.PK === pk && String(item.SK).startsWith(prefix))
      .sort((a, b) => Buffer.compare(bytes(String(a.SK)), bytes(String(b.SK))));
    return { ok: descending ? items.reverse() : items };
  }
}

interface Action {
  kind: 'put' | 'delete' | 'update';
  key: Key;
  n: number;
  conditions?: Condition[];
}

type Command =
  | { op: 'get'; key: Key }
  | { op: 'put'; key: Key; n: number | string; conditions?: Condition[] }
  | { op: 'delete'; key: Key; conditions?: Condition[] }
  | { op: 'update'; key: Key; add: number; label?: string; conditions?: Condition[] }
  | { op: 'transact'; actions: Action[] }
  | { op: 'query'; pk: string; prefix: string; descending: boolean; limit: number };

const pkArb = fc.constantFrom('A', 'B');
// Sort keys that exercise byte order beyond ASCII.
const skArb = fc.constantFrom('x1', 'x2', 'x10', 'y', 'é', '日本', '\u{1F600}', 'x\u00ff');
const keyArb = fc.record({ PK: pkArb, SK: skArb });
const conditionArb: fc.Arbitrary<Condition[] | undefined> = fc.option(
  fc.oneof(
    fc.constant<Condition[]>([{ op: 'itemExists' }]),
    fc.constant<Condition[]>([{ op: 'itemNotExists' }]),
    fc.constant<Condition[]>([{ op: 'attributeNotExists', attribute: 'label' }]),
    fc.integer({ min: 0, max: 3 }).map<Condition[]>((value) => [{ op: '=', attribute: 'n', value }]),
  ),
  { nil: undefined },
);
const actionArb: fc.Arbitrary<Action> = fc.record({
  kind: fc.constantFrom('put', 'delete', 'update'),
  key: keyArb,
  n: fc.integer({ min: 0, max: 3 }),
  conditions: conditionArb,
});
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ op: fc.constant('get' as const), key: keyArb }),
  fc.record({
    op: fc.constant('put' as const),
    key: keyArb,
    n: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constant('text')),
    conditions: conditionArb,
  }),
  fc.record({ op: fc.constant('delete' as const), key: keyArb, conditions: conditionArb }),
  fc.record({
    op: fc.constant('update' as const),
    key: keyArb,
    add: fc.integer({ min: -2, max: 2 }),
    label: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }),
    conditions: conditionArb,
  }),
  fc.record({
    op: fc.constant('transact' as const),
    actions: fc.array(actionArb, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    op: fc.constant('query' as const),
    pk: pkArb,
    prefix: fc.constantFrom('', 'x', 'x1', '日', 'z'),
    descending: fc.boolean(),
    limit: fc.integer({ min: 1, max: 4 }),
  }),
);

function strip(value: AttributeValue | undefined, run: string): unknown {
  if (value === undefined || typeof value !== 'object' || value === null) return value;
  const item = { ...(value as Item) };
  if (typeof item.PK === 'string') item.PK = item.PK.slice(run.length);
  return item;
}

async function attempt(work: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: await work() };
  } catch (error) {
    return { error: (error as { code?: string }).code ?? String(error) };
  }
}

/** Runs one command on an engine, in a partition namespace of its own (`run`). */
async function onEngine(store: ItemStore, run: string, command: Command): Promise<Outcome> {
  const k = (key: Key) => ({ PK: run + key.PK, SK: key.SK });
  const withKey = (conditions?: Condition[]) => (conditions ? { conditions } : {});
  switch (command.op) {
    case 'get':
      return attempt(async () => strip((await store.get(k(command.key), { consistent: true })).item, run));
    case 'put':
      return attempt(async () => {
        await store.put({ item: { ...k(command.key), n: command.n }, ...withKey(command.conditions) });
      });
    case 'delete':
      return attempt(async () => {
        await store.delete({ key: k(command.key), ...withKey(command.conditions) });
      });
    case 'update':
      return attempt(async () => {
        const result = await store.update({
          key: k(command.key),
          add: { n: command.add },
          ...(command.label === undefined ? { remove: ['label'] } : { set: { label: command.label } }),
          ...withKey(command.conditions),
        });
        return strip(result.item, run);
      });
    case 'transact':
      return attempt(async () => {
        await store.transactWrite(
          command.actions.map((a) => {
            const conditions = withKey(a.conditions);
            if (a.kind === 'put') return { put: { ...k(a.key), n: a.n }, ...conditions };
            if (a.kind === 'delete') return { delete: k(a.key), ...conditions };
            return { update: { key: k(a.key), add: { n: a.n }, remove: ['label'] }, ...conditions };
          }),
        );
      });
    case 'query':
      return attempt(async () => {
        const items: unknown[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.query({
            partition: run + command.pk,
            ...(command.prefix ? { sortKey: { op: 'beginsWith' as const, value: command.prefix } } : {}),
            descending: command.descending,
            limit: command.limit,
            consistent: true,
            ...(cursor ? { cursor } : {}),
          });
          items.push(...page.items.map((item) => strip(item, run)));
          cursor = page.cursor;
        } while (cursor);
        return items;
      });
  }
}

function onModel(model: Model, command: Command): Outcome {
  switch (command.op) {
    case 'get':
      return model.get(command.key);
    case 'put':
      return model.put({ ...command.key, n: command.n }, command.conditions);
    case 'delete':
      return model.delete(command.key, command.conditions);
    case 'update':
      return model.update(command.key, command.add, command.label, command.conditions);
    case 'transact':
      return model.transact(command.actions);
    case 'query':
      return model.query(command.pk, command.prefix, command.descending);
  }
}

const harnesses: EngineHarness[] = [];
beforeAll(async () => {
  for (const open of engines()) harnesses.push(await open());
});
afterAll(async () => {
  for (const harness of harnesses) await harness.close();
});

let runs = 0;
it('gives the same results on every engine and on the model', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(commandArb, { minLength: 1, maxLength: 20 }), async (commands) => {
      const run = `RUN${Date.now().toString(36)}${runs++}#`;
      const model = new Model();
      for (const command of commands) {
        const expected = onModel(model, command);
        for (const harness of harnesses) {
          let actual = await onEngine(harness.store, run, command);
          if (
            harness.transactionDataErrorIsTopLevel &&
            command.op === 'transact' &&
            'error' in expected &&
            expected.error === 'TransactionCanceledException' &&
            'error' in actual &&
            actual.error === 'ValidationException'
          ) {
            actual = { error: 'TransactionCanceledException' };
          }
          expect(actual, `${harness.name}: ${JSON.stringify(command)}`).toEqual(expected);
        }
      }
    }),
    { numRuns: harnesses.length > 1 ? 60 : 500 },
  );
}, 120_000);
