/** What an app does around the hosted UI: a PKCE pair, and redeeming the code it comes back with. */
import { createHash, randomBytes } from 'node:crypto';

/** A PKCE verifier and its S256 challenge. */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** POST /oauth2/token with an authorization code, as a public app client does; the JSON answer. */
export async function redeemCode(
  app: { url: string; clientId: string; callback: string },
  code: string,
  verifier: string,
): Promise<Record<string, string>> {
  const response = await fetch(`${app.url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: app.clientId,
      code,
      redirect_uri: app.callback,
      code_verifier: verifier,
    }),
  });
  return (await response.json()) as Record<string, string>;
}
