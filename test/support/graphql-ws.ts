/** graphql-ws's own client, as the tests use it against a Plaza server. */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/**
 * A client of `/graphql` on the server at `serverUrl` (its http address), signed in with an access
 * token when one is given. It connects at once and never retries, so a refused connection shows.
 */
export function graphqlWsClient(serverUrl: string, token?: string): Client {
  return createClient({
    url: `${serverUrl.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: token ? { Authorization: token } : {},
    lazy: false,
    retryAttempts: 0,
    // Errors reach the tests through their subscriptions' sinks; the client would also print them.
    onNonLazyError: () => {},
  });
}
