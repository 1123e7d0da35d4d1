/** Configures Amplify from the deployment's `amplify_outputs.json`: the only place the app learns where it runs. */
import { Amplify, type ResourcesConfig } from 'aws-amplify';

export interface AmplifyOutputs {
  version: string;
  auth?: {
    user_pool_id: string;
    user_pool_client_id: string;
    /** A user-pool endpoint other than Amazon Cognito's regional one (Amplify's `userPoolEndpoint`). */
    user_pool_endpoint?: string;
    /** Present when the deployment has an identity pool (guest and signed-in AWS credentials). */
    identity_pool_id?: string;
    password_policy?: { min_length?: number };
  };
  data?: { url: string };
}

export async function loadOutputs(): Promise<AmplifyOutputs> {
  const response = await fetch('/amplify_outputs.json');
  if (!response.ok) throw new Error(`amplify_outputs.json answered ${response.status}`);
  return (await response.json()) as AmplifyOutputs;
}

export function configureAmplify(outputs: AmplifyOutputs): void {
  Amplify.configure(outputs as Parameters<typeof Amplify.configure>[0]);
  // Amplify's outputs parser has no field for a custom user-pool endpoint; its resource config does.
  // Plaza serves the identity pool's API on the same endpoint as the user pool's: without it,
  // Amplify would ask Amazon's regional identity endpoint for credentials after every sign-in.
  const endpoint = outputs.auth?.user_pool_endpoint;
  const config = Amplify.getConfig();
  if (endpoint && config.Auth?.Cognito) {
    const Cognito = {
      ...config.Auth.Cognito,
      userPoolEndpoint: endpoint,
      ...(outputs.auth?.identity_pool_id ? { identityPoolEndpoint: endpoint } : {}),
    };
    Amplify.configure({ ...config, Auth: { ...config.Auth, Cognito } } as ResourcesConfig);
  }
  if (outputs.data?.url.startsWith('http:')) openRealtimeWithoutTls(new URL(outputs.data.url));
}

/**
 * Amplify opens AppSync's real-time socket with wss:// whatever the endpoint's
 * scheme, since AppSync serves TLS only. A GraphQL endpoint configured as plain
 * http (a server on one machine) has no TLS to answer with, so sockets to that
 * endpoint's host go over ws://. An https endpoint, as on AWS, is never touched.
 */
function openRealtimeWithoutTls(endpoint: URL): void {
  const Native = window.WebSocket;
  const tlsTwin = `wss://${endpoint.host}/`;
  class EndpointWebSocket extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      const target = String(url);
      super(target.startsWith(tlsTwin) ? `ws://${target.slice('wss://'.length)}` : target, protocols);
    }
  }
  window.WebSocket = EndpointWebSocket;
}
