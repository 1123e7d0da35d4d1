/**
 * The user pool's SAML 2.0 identity providers in plaza.config.json (`userPool.samlProviders`),
 * with Cognito's provider details: the IdP's metadata by URL (`MetadataURL`) or from a file
 * (`MetadataFile`, read at sign-in), `IDPInit` for IdP-initiated sign-in, and the attribute
 * mapping (pool attribute → SAML attribute name).
 */
import { resolve } from 'node:path';
import { z } from 'zod';

export interface SamlProviderSettings {
  /** The name in `identity_provider=<name>` and the prefix of its users' usernames. */
  name: string;
  /** Exactly one of the two. */
  metadataUrl: string | undefined;
  metadataFile: string | undefined;
  /** Pool attribute → SAML attribute name. */
  attributeMapping: Record<string, string>;
  /** Cognito's `IDPInit`: accept unsolicited Responses (off by default: they cannot be tied to a browser). */
  idpInitiated: boolean;
  /** How far the IdP's clock may be off when checking NotBefore / NotOnOrAfter. */
  clockSkewMs: number;
}

export const samlProviderSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9-]{1,32}$/, 'letters, digits and - (up to 32)'),
    metadataUrl: z.url().optional(),
    metadataFile: z.string().min(1).optional(),
    attributeMapping: z.record(z.string(), z.string().min(1).max(2048)).optional(),
    idpInitiated: z.boolean().optional(),
    clockSkewSeconds: z.number().int().min(0).max(300).optional(),
  })
  .strict()
  .refine((provider) => (provider.metadataUrl === undefined) !== (provider.metadataFile === undefined), {
    message: 'exactly one of metadataUrl and metadataFile',
  });

/** The SAML providers, their metadata files resolved from the working directory; names unique among all providers. */
export function samlProvidersOf(
  providers: z.infer<typeof samlProviderSchema>[],
  otherNames: string[],
  cwd: string,
): SamlProviderSettings[] {
  const seen = new Set(otherNames);
  return providers.map((provider) => {
    if (seen.has(provider.name)) throw new Error(`userPool.samlProviders: ${provider.name} is named twice`);
    seen.add(provider.name);
    return {
      name: provider.name,
      metadataUrl: provider.metadataUrl,
      metadataFile: provider.metadataFile === undefined ? undefined : resolve(cwd, provider.metadataFile),
      // Cognito maps nothing by default for SAML; email from the usual claim is what most IdPs send.
      attributeMapping: provider.attributeMapping ?? {
        email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
      },
      idpInitiated: provider.idpInitiated ?? false,
      clockSkewMs: (provider.clockSkewSeconds ?? 30) * 1000,
    };
  });
}
