/**
 * Live subscriptions at fan-out, for both WebSocket protocols. Subscribers who
 * sent the same operation with the same variables share one listener on the
 * event bus; for each event, each distinct audience runs the operation once and
 * its answer is serialized once. An audience is everyone, unless the operation
 * reads a field whose value depends on the viewer (`viewerFields`): then it is
 * one viewer, resolved with that viewer's identity, so no event shows a client
 * what it could not query. All executions of one event share its batched
 * reads: the author is read once, and 5,000 viewers' likes take 50 BatchGets.
 */
import {
  GraphQLError,
  createSourceEventStream,
  getOperationAST,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { Caller } from '../../ports/identity-verifier.ts';
import type { Log } from '../../platform/logger.ts';
import { selectedFields, type AuthModes } from './auth-modes.ts';
import { requestContext, requestLoaders, type GraphQLServices, type Loaders } from './context.ts';
import { viewerFields } from './resolvers.ts';
import { isQueuedEvents } from './subscriptions.ts';
import { blockersOf } from '../../domain/social/relations.ts';

/** One answer to one event, shared by everyone in its audience. */
export interface LiveResult {
  result: ExecutionResult;
  /** The result serialized by `format`, once per audience and format however many receive it. */
  serialized(format: (result: ExecutionResult) => string): string;
}

export interface SubscriptionRequest {
  query: unknown;
  variables?: unknown;
  operationName?: unknown;
  caller: Caller;
}

export type Subscribed = { stop(): void } | { errors: readonly GraphQLError[] };

export interface SubscriptionHub {
  /** Starts delivering the request's events to `deliver`, or says why it may not. */
  subscribe(request: SubscriptionRequest, deliver: (result: LiveResult) => void): Promise<Subscribed>;
  /** How many distinct operations have a live listener: for tests and metrics. */
  readonly groups: number;
}

interface Prepared {
  document: DocumentNode;
  compiled: CompiledQuery;
  /** Whether an answer depends on who asks. */
  perViewer: boolean;
}

interface Audience {
  caller: Caller;
  /** Each member's delivery, with the signed-in user it delivers to (an audience of everyone spans many). */
  members: Map<Deliver, string | undefined>;
}

type Deliver = (result: LiveResult) => void;

interface Group {
  audiences: Map<string, Audience>;
  /**
   * Each signed-in member's deliveries and their audiences, by user: an event for one user (a
   * notification) goes straight to theirs instead of past every member of the group.
   */
  byViewer: Map<string, Map<Deliver, Audience>>;
  /** Resolves once the bus listener is in place; to errors when the subscription is refused. */
  started: Promise<readonly GraphQLError[] | undefined>;
  stop(): void;
}

/** Distinct documents kept parsed, validated and compiled. */
const maxDocuments = 1000;
/**
 * Viewers whose answers differ are resolved this many at a time: their reads still share a few
 * batches, and each slice's answers are sent and dropped before the next runs, so an event to
 * 5,000 viewers never holds 5,000 answers at once (which the old generation then collects).
 */
const viewersPerSlice = 256;

interface HubOptions {
  schema: GraphQLSchema;
  services: GraphQLServices;
  modes: AuthModes;
  /**
   * Parses and validates a document: the server's own, with its caches and limits (depth, aliases,
   * cost), so subscriptions are held to what queries are. graphql-js's parse and validate without it.
   */
  check?: (query: string) => DocumentNode | readonly GraphQLError[];
  /** Where the resolvers of subscription events log (an event is shared by its subscribers, so no request's id). */
  log: Log;
}

export function subscriptionHub(options: HubOptions): SubscriptionHub {
  const { schema, modes } = options;
  const check =
    options.check ??
    ((query: string) => {
      const document = parse(query, { maxTokens: 2000 });
      const errors = validate(schema, document);
      return errors.length > 0 ? errors : document;
    });
  const prepare = preparedDocuments(schema, check);
  const groups = new Map<string, Group>();

  return {
    get groups() {
      return groups.size;
    },
    async subscribe(request, deliver) {
      if (typeof request.query !== 'string' || request.query.length === 0)
        return { errors: [new GraphQLError('The request has no query')] };
      const { variables: rawVariables } = request;
      if (rawVariables != null && (typeof rawVariables !== 'object' || Array.isArray(rawVariables)))
        return { errors: [new GraphQLError('variables must be an object')] };
      const variables = (rawVariables ?? {}) as Record<string, unknown>;
      const operationName = typeof request.operationName === 'string' ? request.operationName : undefined;
      const prepared = prepare(request.query, operationName);
      if (!('document' in prepared)) return { errors: prepared };
      const refused = modes.refused(prepared.document, request.caller);
      if (refused.length > 0)
        return { errors: refused.map((field) => new GraphQLError(`Not Authorized to access ${field}`)) };

      const key = `${operationName ?? ''}\u0000${request.query}\u0000${JSON.stringify(variables)}`;
      const group =
        groups.get(key) ?? startGroup({ ...options, groups }, key, prepared, variables, request.caller);
      // Callers of different kinds never share an answer, even when no field names the viewer.
      const audienceKey = prepared.perViewer ? callerKey(request.caller) : request.caller.kind;
      let audience = group.audiences.get(audienceKey);
      if (!audience) {
        audience = { caller: request.caller, members: new Map() };
        group.audiences.set(audienceKey, audience);
      }
      const viewer = request.caller.kind === 'user' ? request.caller.sub : undefined;
      audience.members.set(deliver, viewer);
      if (viewer !== undefined) {
        const own = group.byViewer.get(viewer) ?? new Map<Deliver, Audience>();
        group.byViewer.set(viewer, own.set(deliver, audience));
      }
      const leave = () => {
        audience.members.delete(deliver);
        if (viewer !== undefined) {
          const own = group.byViewer.get(viewer);
          own?.delete(deliver);
          if (own?.size === 0) group.byViewer.delete(viewer);
        }
        if (audience.members.size === 0 && group.audiences.get(audienceKey) === audience)
          group.audiences.delete(audienceKey);
        if (group.audiences.size === 0 && groups.get(key) === group) group.stop();
      };
      const errors = await group.started;
      if (errors) {
        leave();
        return { errors };
      }
      return { stop: leave };
    },
  };
}

/** Subscription documents parsed, validated and compiled once each (up to maxDocuments). */
function preparedDocuments(
  schema: GraphQLSchema,
  check: (query: string) => DocumentNode | readonly GraphQLError[],
): (query: string, operationName: string | undefined) => Prepared | readonly GraphQLError[] {
  const documents = new Map<string, Prepared | readonly GraphQLError[]>();
  return (query, operationName) => {
    const id = `${operationName ?? ''}\u0000${query}`;
    const known = documents.get(id);
    if (known) return known;
    let prepared: Prepared | readonly GraphQLError[];
    try {
      const document = check(query);
      if (!('kind' in document)) prepared = document;
      else if (getOperationAST(document, operationName)?.operation !== 'subscription')
        prepared = [new GraphQLError('Only subscriptions are delivered here')];
      else {
        const compiled = compileQuery(schema, document, operationName);
        prepared = isCompiledQuery(compiled)
          ? {
              document,
              compiled,
              perViewer: selectedFields(schema, document).some((field) => viewerFields.has(field)),
            }
          : (compiled.errors ?? [new GraphQLError('Cannot compile the subscription')]);
      }
    } catch (error) {
      prepared = [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
    }
    if (documents.size >= maxDocuments) documents.clear();
    documents.set(id, prepared);
    return prepared;
  };
}

/** One listener on the event bus for one operation and its variables, shared by all its audiences. */
function startGroup(
  options: Pick<HubOptions, 'schema' | 'services' | 'log'> & { groups: Map<string, Group> },
  key: string,
  prepared: Prepared,
  variables: Record<string, unknown>,
  caller: Caller,
): Group {
  const { schema, services, log, groups } = options;
  const audiences = new Map<string, Audience>();
  const byViewer = new Map<string, Map<Deliver, Audience>>();
  let source: AsyncIterator<unknown> | undefined;
  let stopped = false;
  const started = (async () => {
    const stream = await createSourceEventStream({
      schema,
      document: prepared.document,
      contextValue: requestContext(caller, services, log),
      variableValues: variables,
    });
    if (!(Symbol.asyncIterator in stream)) return stream.errors ?? [];
    source = stream[Symbol.asyncIterator]();
    if (stopped) void source.return?.();
    // A failing event stream must not take the server down: it ends this group's deliveries, said in the log.
    else pump(source).catch((error: unknown) => log.error({ err: error }, 'subscription stream failed'));
    return undefined;
  })();

  async function pump(events: AsyncIterator<unknown>) {
    for (;;) {
      const next = await events.next();
      if (next.done) return;
      // Everything that came while the last events were answered is answered together.
      const wave = [next.value, ...(isQueuedEvents(events) ? events.takeQueued() : [])];
      for (let i = 0; i < wave.length;) {
        let end = i;
        while (end < wave.length && end - i < viewersPerSlice && recipientOf(wave[end]) !== undefined) end++;
        if (end > i) await answerRecipients(wave.slice(i, end));
        else await broadcast(wave[end++]);
        i = end;
      }
    }
  }

  /**
   * Events each for one user (notifications): resolved together, so that they share one batch of
   * reads (the actors' profiles), and delivered in the order they came.
   */
  async function answerRecipients(events: unknown[]) {
    const loaders = requestLoaders(services);
    const answers = events.flatMap((event) =>
      [...receiversByAudience(byViewer.get(recipientOf(event) ?? ''))].map(([audience, receivers]) => ({
        receivers,
        live: execute(options, prepared, variables, audience, event, loaders),
      })),
    );
    const results = await Promise.all(answers.map(({ live }) => live));
    answers.forEach(({ receivers }, i) => deliverAll(receivers, results[i]!, log));
  }

  async function broadcast(event: unknown) {
    const loaders = requestLoaders(services);
    let blockers: Set<string>;
    try {
      blockers = await blockersOfAuthor(services, event);
    } catch (error) {
      // Sent to nobody rather than to someone who blocked its author; the group lives on.
      log.error({ err: error }, "subscription event dropped: its author's blockers could not be read");
      return;
    }
    const all = [...audiences.values()];
    const unliked = unlikedPostOf(event);
    for (let start = 0; start < all.length; start += viewersPerSlice) {
      await Promise.all(
        all.slice(start, start + viewersPerSlice).map(async (audience) => {
          const receivers = unblocked(audience, blockers);
          if (receivers.length === 0) return;
          if (unliked !== undefined && audience.caller.kind === 'user')
            loaders.likes.prime(unliked, audience.caller.sub, false);
          const live = await execute(options, prepared, variables, audience, event, loaders);
          deliverAll(receivers, live, log);
        }),
      );
    }
  }

  const group: Group = {
    audiences,
    byViewer,
    started,
    stop() {
      stopped = true;
      groups.delete(key);
      void source?.return?.();
    },
  };
  groups.set(key, group);
  return group;
}

/** Resolves one event for one audience: one answer, serialized once per format. */
async function execute(
  { services, log }: Pick<HubOptions, 'services' | 'log'>,
  prepared: Prepared,
  variables: Record<string, unknown>,
  audience: Audience,
  event: unknown,
  loaders: Loaders,
): Promise<LiveResult> {
  const context = requestContext(audience.caller, services, log, loaders);
  let result: ExecutionResult;
  try {
    result = await prepared.compiled.query(event, context, variables);
  } catch (error) {
    // The compiled query reports resolver errors itself; this is a bug, and says nothing more.
    result = {
      data: null,
      errors: [new GraphQLError('An internal error occurred', { originalError: error as Error })],
    };
  }
  const formats = new Map<(result: ExecutionResult) => string, string>();
  return {
    result,
    serialized(format) {
      let text = formats.get(format);
      if (text === undefined) formats.set(format, (text = format(result)));
      return text;
    },
  };
}

function deliverAll(receivers: Deliver[], live: LiveResult, log: Log) {
  for (const deliver of receivers) {
    try {
      deliver(live);
    } catch (error) {
      // One subscriber's broken socket is no reason to skip the others.
      log.warn({ err: error }, 'subscription delivery failed');
    }
  }
}

/** An audience's members less those who block the event's author (usually nobody: then all of them). */
function unblocked(audience: Audience, blockers: Set<string>): Deliver[] {
  const members = [...audience.members];
  const allowed =
    blockers.size === 0 ? members : members.filter(([, viewer]) => !viewer || !blockers.has(viewer));
  return allowed.map(([deliver]) => deliver);
}

/** One user's deliveries grouped by audience: each audience answers once, whatever its number of sockets. */
function receiversByAudience(own: Map<Deliver, Audience> | undefined): Map<Audience, Deliver[]> {
  const grouped = new Map<Audience, Deliver[]>();
  for (const [deliver, audience] of own ?? []) {
    const receivers = grouped.get(audience);
    if (receivers) receivers.push(deliver);
    else grouped.set(audience, [deliver]);
  }
  return grouped;
}

/**
 * An event meant for one user (a notification): only their own subscriptions receive it, whoever
 * else listens to the same operation (they share one group, subscribed in the first caller's name).
 */
function recipientOf(event: unknown): string | undefined {
  const recipientId = (event as { recipientId?: unknown } | null)?.recipientId;
  return typeof recipientId === 'string' ? recipientId : undefined;
}

/**
 * The id of a post whose event says nobody likes it (a new post): an event is the item as written,
 * and a post's likeCount moves in the same transaction as each like, so no viewer's like need be
 * read. A like made since is news of its own (onLikePost); this answer stays true to its event.
 */
function unlikedPostOf(event: unknown): string | undefined {
  const post = event as { id?: unknown; likeCount?: unknown } | null;
  return post?.likeCount === 0 && typeof post.id === 'string' ? post.id : undefined;
}

/**
 * Who blocks the author of an event (a post's, a comment's): they are not sent it. One query of the
 * author's own partition per event, however many subscribers, and usually empty.
 */
async function blockersOfAuthor(services: GraphQLServices, event: unknown): Promise<Set<string>> {
  const authorId = (event as { authorId?: unknown } | null)?.authorId;
  return typeof authorId === 'string' ? blockersOf(authorId, services.social) : new Set();
}

function callerKey(caller: Caller): string {
  return caller.kind === 'user' ? `user:${caller.sub}` : caller.kind;
}
