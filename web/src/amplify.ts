/** Configures Amplify from the deployment's `amplify_outputs.json`: the only place the app learns where it runs. */
import { Amplify, type ResourcesConfig } from 'aws-amplify';
import { signOut } from 'aws-amplify/auth';
import { Hub } from 'aws-amplify/utils';

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
    /** The hosted UI, when the app client has one: where signInWithRedirect goes, and its providers. */
    oauth?: { domain: string; identity_providers?: string[]; redirect_sign_out_uri?: string[] };
  };
  data?: { url: string };
  /** Where the operator console's API is when not beside the app (a function URL on AWS). */
  custom?: { operator_api_url?: string };
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
  federatedProviders = outputs.auth?.oauth?.identity_providers ?? [];
  const operatorApi = outputs.custom?.operator_api_url;
  adminBase = operatorApi ? `${operatorApi.replace(/\/$/, '')}/admin` : '/admin';
  const oauthDomain = outputs.auth?.oauth?.domain;
  if (endpoint?.startsWith('http:') && oauthDomain === new URL(endpoint).host) {
    hostedUiWithoutTls = oauthDomain;
    signOutUris = outputs.auth?.oauth?.redirect_sign_out_uri ?? [];
    reachTokenEndpointWithoutTls(oauthDomain);
    Hub.listen('auth', ({ payload }) => {
      if (payload.event === 'signInWithRedirect') localStorage.setItem(hostedUiSignInKey, 'true');
    });
  }
}

let federatedProviders: string[] = [];
let adminBase = '/admin';

/** Where the operator console's /admin routes are: the server's own, or the deployment's operator API. */
export function adminApiBase(): string {
  return adminBase;
}
/** The hosted UI's host when it is served over plain http (a server on one machine). */
let hostedUiWithoutTls: string | undefined;
let signOutUris: string[] = [];
const hostedUiSignInKey = 'plaza.hostedUiSignIn';

/**
 * The identity providers the app client offers through the hosted UI, as `amplify_outputs.json`
 * lists them: Amplify's names for the social ones (GOOGLE, FACEBOOK, SIGN_IN_WITH_APPLE), the
 * pool's names for SAML and OpenID Connect providers.
 */
export function identityProviders(): readonly string[] {
  return federatedProviders;
}

/**
 * Where signInWithRedirect sends the browser. Amplify writes the hosted UI's address as https://,
 * as Cognito serves it; a hosted UI on plain http (the same server as the user pool endpoint) is
 * reached at its http:// address, in the same way as the real-time socket below.
 */
export function openHostedUi(url: string): Promise<void> {
  window.location.assign(
    hostedUiWithoutTls ? url.replace(`https://${hostedUiWithoutTls}/`, `http://${hostedUiWithoutTls}/`) : url,
  );
  return Promise.resolve();
}

/** Amplify redeems the hosted UI's code at https://<domain>/oauth2/token: on plain http, at http://. */
function reachTokenEndpointWithoutTls(domain: string): void {
  const native = window.fetch.bind(window);
  const tlsTwin = `https://${domain}/oauth2/`;
  window.fetch = (input: RequestInfo | URL, init?: RequestInit) =>
    typeof input === 'string' && input.startsWith(tlsTwin)
      ? native(`http://${input.slice('https://'.length)}`, init)
      : native(input, init);
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

/**
 * Amplify's signOut. After a hosted-UI sign-in Amplify also ends the hosted UI's session, by sending
 * the browser to https://<domain>/logout; a hosted UI on plain http has no https to answer, so there
 * Amplify signs out without it and the browser goes to the http:// /logout, as Amplify would have.
 */
export async function signOutOfPool(global: boolean): Promise<void> {
  if (!hostedUiWithoutTls || localStorage.getItem(hostedUiSignInKey) !== 'true') {
    await signOut({ global });
    return;
  }
  const config = Amplify.getConfig();
  const cognito = config.Auth?.Cognito;
  const clientId = cognito?.userPoolClientId;
  if (!cognito || !clientId) return;
  const { oauth: _hostedUi, ...loginWith } = cognito.loginWith ?? {};
  Amplify.configure({
    ...config,
    Auth: { ...config.Auth, Cognito: { ...cognito, loginWith } },
  } as ResourcesConfig);
  try {
    await signOut({ global });
  } finally {
    Amplify.configure(config);
  }
  localStorage.removeItem(hostedUiSignInKey);
  const back = signOutUris.find((uri) => new URL(uri).origin === location.origin) ?? signOutUris[0];
  if (back) {
    const query = new URLSearchParams({ client_id: clientId, logout_uri: back });
    location.assign(`http://${hostedUiWithoutTls}/logout?${query}`);
  }
}
