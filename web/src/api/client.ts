/** The app's one door to the GraphQL API: Amplify's client, with errors turned into ApiError. */
import { Hub } from 'aws-amplify/utils';
import { generateClient } from 'aws-amplify/api';
import { apiErrorOf } from './errors.ts';

type Variables = Record<string, unknown>;

/** The part of Amplify's client the app uses; its generated model types are for Amplify Data schemas, not raw documents. */
interface GraphQLClient {
  graphql(options: { query: string; variables?: Variables; authMode?: 'iam' }): unknown;
}

let client: GraphQLClient | undefined;
const amplifyClient = () => (client ??= generateClient() as unknown as GraphQLClient);

/**
 * Whether requests go as a guest: signed with the identity pool's guest credentials (AppSync's
 * AWS_IAM mode) rather than the user pool's tokens. The session turns it on when nobody is signed in.
 */
let asGuest = false;
export function setGuestCredentials(on: boolean): void {
  asGuest = on;
}

export async function gql<T>(query: string, variables?: Variables): Promise<T> {
  try {
    const result = (await amplifyClient().graphql({
      query,
      variables,
      ...(asGuest ? { authMode: 'iam' as const } : {}),
    })) as { data: T };
    return result.data;
  } catch (error) {
    throw apiErrorOf(error);
  }
}

const withoutSpace = (text: string) => text.replace(/\s+/g, '');

interface Observable<T> {
  subscribe(observer: { next(value: T): void; error(error: unknown): void }): { unsubscribe(): void };
}

/**
 * Subscribes over AppSync's real-time protocol. `onReady` is called once the
 * service acknowledged this subscription: events from then on are delivered.
 */
export function subscribe<T>(
  query: string,
  variables: Variables,
  handlers: { onData(data: T): void; onError?(error: unknown): void; onReady?(): void },
): () => void {
  const variablesKey = JSON.stringify(variables);
  // Amplify reports the acknowledged query reformatted (parsed and printed again): compare it without whitespace.
  const sentQuery = withoutSpace(query);
  const stopListening = handlers.onReady
    ? Hub.listen('api', ({ payload }) => {
        const data = payload.data as { query?: string; variables?: Variables } | undefined;
        if (
          payload.event === 'Subscription ack' &&
          withoutSpace(data?.query ?? '') === sentQuery &&
          JSON.stringify(data?.variables ?? {}) === variablesKey
        ) {
          handlers.onReady?.();
        }
      })
    : () => {};
  const observable = amplifyClient().graphql({ query, variables }) as unknown as Observable<{ data: T }>;
  const subscription = observable.subscribe({
    next: ({ data }) => handlers.onData(data),
    error: (error) => handlers.onError?.(apiErrorOf(error)),
  });
  return () => {
    stopListening();
    subscription.unsubscribe();
  };
}
