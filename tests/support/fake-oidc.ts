import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export const OIDC_CLIENT_ID = 'appwarden-test';
export const OIDC_CLIENT_SECRET = 'test-client-secret-5d1c';

const body = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => resolve(text));
  });

/**
 * A small OpenID Connect provider on 127.0.0.1, as a real one behaves for the authorization code flow:
 * discovery, a JWKS, `/authorize` redirecting back with a code (for whoever `signInAs` names: there is
 * no login form), `/token` checking the client's secret and the PKCE verifier and issuing an RS256 id_token
 * with the nonce the authorization request carried.
 */
export async function startFakeOidc() {
  const key = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(key.publicKey)), kid: 'oidc-key-1', use: 'sig', alg: 'RS256' };
  let url = '';
  let claims: Record<string, unknown> = {};
  const codes = new Map<string, { nonce: string; challenge: string; redirect: string; claims: Record<string, unknown> }>();
  const tokenRequests: URLSearchParams[] = [];
  const server: Server = createServer((req, res) => {
    const at = new URL(req.url ?? '/', url);
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (at.pathname === '/.well-known/openid-configuration')
      return json(200, {
        issuer: url,
        authorization_endpoint: `${url}/authorize`,
        token_endpoint: `${url}/token`,
        jwks_uri: `${url}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        scopes_supported: ['openid', 'email', 'profile'],
      });
    if (at.pathname === '/jwks') return json(200, { keys: [jwk] });
    if (at.pathname === '/authorize') {
      const q = at.searchParams;
      if (q.get('client_id') !== OIDC_CLIENT_ID || q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256')
        return json(400, { error: 'invalid_request' });
      const code = randomBytes(12).toString('hex');
      codes.set(code, {
        nonce: q.get('nonce') ?? '',
        challenge: q.get('code_challenge') ?? '',
        redirect: q.get('redirect_uri') ?? '',
        claims,
      });
      const back = new URL(q.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state') ?? '');
      back.searchParams.set('iss', url);
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (at.pathname === '/token' && req.method === 'POST')
      return void body(req).then(async (text) => {
        const form = new URLSearchParams(text);
        tokenRequests.push(form);
        const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        const [id, secret] = basic
          ? Buffer.from(basic, 'base64').toString().split(':').map(decodeURIComponent)
          : [form.get('client_id'), form.get('client_secret')];
        if (id !== OIDC_CLIENT_ID || secret !== OIDC_CLIENT_SECRET) return json(401, { error: 'invalid_client' });
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        if (
          !grant ||
          grant.redirect !== form.get('redirect_uri') ||
          createHash('sha256').update(verifier).digest('base64url') !== grant.challenge
        )
          return json(400, { error: 'invalid_grant' });
        const idToken = await new SignJWT({ nonce: grant.nonce, ...grant.claims })
          .setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'JWT' })
          .setIssuer(url)
          .setAudience(OIDC_CLIENT_ID)
          .setSubject(String(grant.claims.sub ?? 'someone'))
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(key.privateKey);
        json(200, { access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 300, id_token: idToken });
      });
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    tokenRequests,
    /** Who the next authorization signs in: the id_token's claims (`sub`, `email`, `https://slack.com/user_id`…). */
    signInAs: (next: Record<string, unknown>) => void (claims = next),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
