/**
 * Live updates at fan-out: 5,000 subscribers with tokens of 5,000 different
 * users, one author posting. The server runs in a child process
 * (subscriptions-servers.ts) so that it has a core of its own, as the goal is
 * stated "on one core"; the clients run here. Measured per event: when each
 * subscriber got it, from the moment the post was asked for, against a bare
 * `ws` server that sends a prepared JSON string of the same shape to as many
 * sockets in the same run (no GraphQL, no auth, no resolution). The notification
 * case gives each of the 5,000 users a notification of their own at once (the
 * notifications written in one go, as a seed or a restore would), each to be
 * delivered to its recipient alone; its bare reference writes the same items to a
 * SQLite file in one transaction, then sends each recipient its own (no change
 * stream, no GraphQL).
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { median, percentile, printTable, type Row } from './harness.ts';

const SUBSCRIBERS = Number(process.env.SUBSCRIBERS ?? 5000);
const POSTS = 10;

interface Ready {
  wsUrl: string;
  realtimeUrl: string;
  bareUrl: string;
  authorId: string;
  tokens: string[];
  viewerIds: string[];
}

interface Client {
  socket: WebSocket;
  onEvent: (() => void) | undefined;
}

interface Scenario {
  name: string;
  goal: string;
  /** What the servers are told to do for each event: a post to everyone, or a notification to each. */
  event: 'post' | 'notify';
  /** Opens one subscribed client for the viewer with this token. */
  open(token: string, i: number, ready: Ready): Promise<Client>;
}

/** Opens every client, a few hundred handshakes at a time (the kernel's accept queue is finite). */
async function openAll(ready: Ready, open: Scenario['open']): Promise<Client[]> {
  const clients: Client[] = [];
  for (let i = 0; i < SUBSCRIBERS; i += 250) {
    const batch = Array.from({ length: Math.min(250, SUBSCRIBERS - i) }, (_, j) =>
      open(ready.tokens[(i + j) % ready.tokens.length]!, i + j, ready),
    );
    clients.push(...(await Promise.all(batch)));
  }
  return clients;
}

/** Sends `command` to the servers and resolves with every client's delay (ms) for the event it causes. */
function deliver(clients: Client[], send: () => void): Promise<number[]> {
  const delays: number[] = [];
  return new Promise((resolve) => {
    const start = performance.now();
    for (const client of clients) {
      client.onEvent = () => {
        client.onEvent = undefined;
        delays.push(performance.now() - start);
        if (delays.length === clients.length) resolve(delays);
      };
    }
    send();
  });
}

const isEvent = (data: WebSocket.RawData, type: string) => String(data).includes(`"type":"${type}"`);

function graphqlWs(query: (authorId: string) => string): Scenario['open'] {
  return (token, i, ready) =>
    new Promise((resolve, reject) => {
      const socket = new WebSocket(ready.wsUrl, 'graphql-transport-ws');
      const client: Client = { socket, onEvent: undefined };
      socket.once('error', reject);
      socket.on('open', () =>
        socket.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: token } })),
      );
      socket.on('message', (data) => {
        if (isEvent(data, 'next')) return client.onEvent?.();
        if (!isEvent(data, 'connection_ack')) return;
        socket.send(
          JSON.stringify({ id: String(i), type: 'subscribe', payload: { query: query(ready.authorId) } }),
        );
        // The server starts the subscription as soon as it reads the message; a short pause covers it.
        setTimeout(() => resolve(client), 0);
      });
    });
}

const basicQuery = (authorId: string) =>
  `subscription { onCreatePost(authorId: "${authorId}") { id description likeCount createdAt } }`;
// What the web app asks for: fields that differ per viewer, so each subscriber's answer is its own.
const viewerQuery = (authorId: string) =>
  `subscription { onCreatePost(authorId: "${authorId}") { id description likeCount viewerHasLiked author { id username viewerFollows } } }`;

// What the web app's bell asks for, with the actor's name: one operation, each event for one subscriber.
const notificationQuery = () =>
  `subscription OnNotification { onNotification { id type createdAt actor { id username } } }`;

const scenarios: Scenario[] = [
  {
    name: 'graphql-transport-ws, same fields for all',
    goal: 'p99 < 250 ms, ≥ 10,000/s',
    event: 'post',
    open: graphqlWs(basicQuery),
  },
  {
    name: 'graphql-transport-ws, viewer fields',
    goal: 'p99 < 250 ms, ≥ 10,000/s',
    event: 'post',
    open: graphqlWs(viewerQuery),
  },
  {
    name: 'graphql-transport-ws, own notification each',
    goal: 'p99 < 250 ms, ≥ 10,000/s',
    event: 'notify',
    open: graphqlWs(notificationQuery),
  },
  {
    name: 'AppSync real-time, same fields for all',
    goal: 'p99 < 250 ms, ≥ 10,000/s',
    event: 'post',
    open: (token, i, ready) =>
      new Promise((resolve, reject) => {
        const header = Buffer.from(JSON.stringify({ Authorization: token })).toString('base64url');
        const socket = new WebSocket(ready.realtimeUrl, ['graphql-ws', `header-${header}`]);
        const client: Client = { socket, onEvent: undefined };
        socket.once('error', reject);
        socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
        socket.on('message', (data) => {
          if (isEvent(data, 'data')) return client.onEvent?.();
          if (isEvent(data, 'start_ack')) return resolve(client);
          if (!isEvent(data, 'connection_ack')) return;
          const request = JSON.stringify({ query: basicQuery(ready.authorId), variables: {} });
          socket.send(JSON.stringify({ id: String(i), type: 'start', payload: { data: request } }));
        });
      }),
  },
];

interface Outcome {
  perSecond: number;
  p50: number;
  p99: number;
  last: number;
  connectSeconds: number;
  /** Each measured event's delays (ms), in order. */
  events: number[][];
}

async function measureFanOut(clients: Client[], command: (n: number) => Promise<void>): Promise<Outcome> {
  const delays: number[] = [];
  const lasts: number[] = [];
  const events: number[][] = [];
  let total = 0;
  // Three events first, not counted: the first of a kind pays for compiling and warming caches, and
  // the next ones for collecting what 5,000 connections left behind (the first two measured posts
  // took 1.5-2× the rest after a single warm-up event).
  for (let n = -3; n < 0; n++) await deliver(clients, () => void command(n));
  for (let n = 0; n < POSTS; n++) {
    const these = await deliver(clients, () => void command(n));
    events.push(these);
    const last = Math.max(...these);
    delays.push(...these);
    lasts.push(last);
    total += last;
  }
  return {
    perSecond: (clients.length * POSTS) / (total / 1000),
    p50: percentile(delays, 0.5),
    p99: percentile(delays, 0.99),
    last: percentile(lasts, 0.5),
    connectSeconds: 0,
    events,
  };
}

const loadAverage = () =>
  loadavg()
    .map((load) => load.toFixed(2))
    .join(' ');

export async function subscriptionsBenchmark(): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', new URL('./subscriptions-servers.ts', import.meta.url).pathname],
    { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, SUBSCRIBERS: String(SUBSCRIBERS) } },
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done) throw new Error('the benchmark servers exited');
  const ready = JSON.parse(first.value) as Ready;
  // The notification case's writes, as the servers timed them (ms): part of each delay, not the hub's.
  const writes: number[] = [];
  const command = async (line: string) => {
    child.stdin.write(`${line}\n`);
    const answer = await lines.next();
    if (typeof answer.value === 'string' && answer.value.startsWith('wrote '))
      writes.push(Number(answer.value.slice('wrote '.length)));
  };

  // The machine may be shared: its load beside the figures says how far to trust them.
  const loadAtStart = loadAverage();
  const outcomes: {
    name: string;
    goal: string;
    event: Scenario['event'];
    plaza: Outcome;
    writeMs: number | undefined;
    afterWriteP99: number | undefined;
  }[] = [];
  // SUBSCRIPTION_SCENARIOS=<words>: only the scenarios whose names hold one of them (to profile one).
  const only = process.env.SUBSCRIPTION_SCENARIOS?.split(',');
  for (const scenario of scenarios.filter(({ name }) => !only || only.some((word) => name.includes(word)))) {
    const opened = performance.now();
    const clients = await openAll(ready, scenario.open);
    const connectSeconds = (performance.now() - opened) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 500));
    writes.length = 0;
    const plaza = await measureFanOut(clients, (n) => command(`${scenario.event} ${n}`));
    // The subscription path alone: each delivery's delay less its event's write (the measured events
    // are the last ones written, after the warm-up's).
    const measuredWrites = writes.slice(-plaza.events.length);
    const afterWrite =
      writes.length > 0
        ? plaza.events.flatMap((delays, n) => delays.map((ms) => ms - measuredWrites[n]!))
        : [];
    outcomes.push({
      name: scenario.name,
      goal: scenario.goal,
      event: scenario.event,
      plaza: { ...plaza, connectSeconds },
      writeMs: writes.length > 0 ? median(writes) : undefined,
      afterWriteP99: afterWrite.length > 0 ? percentile(afterWrite, 0.99) : undefined,
    });
    for (const client of clients) client.socket.terminate();
    await new Promise((resolve) => setTimeout(resolve, 500));
  }

  // The bare references, each for its kind of event: a prepared string to every socket for a post;
  // for the notifications, the same items written to SQLite in one transaction, then each
  // recipient's own sent to its socket (a socket per user, named in its URL).
  const bareOpen =
    (user?: (i: number) => string): Scenario['open'] =>
    (_token, i) =>
      new Promise((resolve, reject) => {
        const socket = new WebSocket(user ? `${ready.bareUrl}/?user=${user(i)}&sub=${i}` : ready.bareUrl);
        const client: Client = { socket, onEvent: undefined };
        socket.once('error', reject);
        socket.once('open', () => resolve(client));
        socket.on('message', () => client.onEvent?.());
      });
  const measureBare = async (open: Scenario['open'], event: string) => {
    const clients = await openAll(ready, open);
    writes.length = 0;
    const outcome = await measureFanOut(clients, (n) => command(`${event} ${n}`));
    for (const client of clients) client.socket.terminate();
    await new Promise((resolve) => setTimeout(resolve, 500));
    return { outcome, writeMs: writes.length > 0 ? median(writes) : undefined };
  };
  const bare = {
    post: await measureBare(bareOpen(), 'bare'),
    notify: outcomes.some(({ event }) => event === 'notify')
      ? await measureBare(
          bareOpen((i) => ready.viewerIds[i % ready.viewerIds.length]!),
          'bare-notify',
        )
      : undefined,
  };
  child.stdin.end();
  await new Promise((resolve) => child.once('exit', resolve));

  console.log(
    `\n${SUBSCRIBERS} subscribers, ${POSTS} events each; delay from asking for the event to each delivery; ` +
      `load average ${loadAtStart} at the start, ${loadAverage()} at the end`,
  );
  const bareRows = [
    { scenario: 'bare ws broadcast (posts)', ...bare.post },
    ...(bare.notify ? [{ scenario: 'bare SQLite + ws, own notification each', ...bare.notify }] : []),
  ];
  console.table(
    [
      ...outcomes.map(({ name, plaza, writeMs, afterWriteP99 }) => ({
        scenario: name,
        outcome: plaza,
        writeMs,
        afterWriteP99,
      })),
      ...bareRows.map(({ scenario, outcome, writeMs }) => ({
        scenario,
        outcome,
        writeMs,
        afterWriteP99: undefined,
      })),
    ].map(({ scenario, outcome, writeMs, afterWriteP99 }) => ({
      scenario,
      'of which writing ms': writeMs === undefined ? '' : Math.round(writeMs),
      'p99 after the write ms': afterWriteP99 === undefined ? '' : Math.round(afterWriteP99),
      'connect s': outcome.connectSeconds ? outcome.connectSeconds.toFixed(1) : '',
      'p50 ms': Math.round(outcome.p50),
      'p99 ms': Math.round(outcome.p99),
      'last ms': Math.round(outcome.last),
    })),
  );
  const rows: Row[] = outcomes.map(({ name, goal, event, plaza }) => ({
    benchmark: name,
    plaza: plaza.perSecond,
    bare: (bare[event] ?? bare.post).outcome.perSecond,
    goal,
    ok: plaza.p99 < 250 && plaza.perSecond >= 10_000,
  }));
  printTable(
    'Subscriptions: deliveries per second (ratio = Plaza / its bare reference)',
    rows,
    'deliveries/s',
  );
}
