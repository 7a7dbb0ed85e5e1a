import * as oidc from 'openid-client';

export interface OidcOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Where the browser reaches the server: the redirect URI is `{publicUrl}/admin/callback`. */
  publicUrl: string;
}

/** What a sign-in in progress must remember between the redirect out and the callback (kept in a signed cookie). */
export interface PendingSignIn {
  verifier: string;
  state: string;
  nonce: string;
}

/** Who the provider says signed in: the claims a person of the policy is found by. */
export interface SignedIn {
  email?: string;
  /** Sign in with Slack: `https://slack.com/user_id`. */
  slack?: string;
  /** Microsoft Entra ID: the object id, which is also the person's Teams identity. */
  teams?: string;
}

/** How long a call to the identity provider may take. */
const PROVIDER_TIMEOUT_SECONDS = 10;

/**
 * Authorization code flow with PKCE, state and nonce (openid-client). Discovery happens once, at start:
 * an issuer that cannot be read is a start-up problem, not a sign-in failure later.
 */
export async function createOidcSignIn(options: OidcOptions) {
  const issuer = new URL(options.issuer);
  // Plain http is accepted only for an issuer on this machine (a test's provider, a local proxy).
  const insecure = issuer.protocol === 'http:' && ['127.0.0.1', '[::1]', 'localhost'].includes(issuer.hostname);
  const config = await oidc.discovery(issuer, options.clientId, options.clientSecret, undefined, {
    timeout: PROVIDER_TIMEOUT_SECONDS,
    ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
  });
  config.timeout = PROVIDER_TIMEOUT_SECONDS;
  const redirectUri = new URL('/admin/callback', options.publicUrl).href;
  return {
    async start(): Promise<{ url: string; pending: PendingSignIn }> {
      const pending = { verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce() };
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid email profile',
        response_type: 'code',
        code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
        code_challenge_method: 'S256',
        state: pending.state,
        nonce: pending.nonce,
      });
      return { url: url.href, pending };
    },
    /** The callback's URL as the browser requested it: checked (state, nonce, PKCE, the id_token's signature) and read. */
    async finish(callbackPath: string, pending: PendingSignIn): Promise<SignedIn> {
      const tokens = await oidc.authorizationCodeGrant(config, new URL(callbackPath, options.publicUrl), {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const claims: Record<string, unknown> = tokens.claims() ?? {};
      const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
      const email = text(claims.email);
      const slack = text(claims['https://slack.com/user_id']);
      const teams = text(claims.oid);
      return { ...(email ? { email } : {}), ...(slack ? { slack } : {}), ...(teams ? { teams } : {}) };
    },
  };
}
export type OidcSignIn = Awaited<ReturnType<typeof createOidcSignIn>>;
