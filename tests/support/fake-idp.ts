import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';

export const TOKEN_ISSUER = 'https://api.botframework.com';

/**
 * A local identity provider for Bot Framework: OpenID metadata and a JWKS whose key is endorsed for
 * msteams, and a signer for channel tokens. A second key, never published, signs "wrong key" tokens.
 */
export async function startFakeIdentityProvider() {
  const good = await generateKeyPair('RS256', { extractable: true });
  const wrong = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(good.publicKey)), kid: 'key-1', use: 'sig', alg: 'RS256', endorsements: ['msteams'] };
  let url = '';
  const server: Server = createServer((req, res) => {
    res.setHeader('Content-Type', 'application/json');
    if (req.url === '/openid')
      return res.end(JSON.stringify({ issuer: TOKEN_ISSUER, jwks_uri: `${url}/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
    if (req.url === '/keys') return res.end(JSON.stringify({ keys: [jwk] }));
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const sign = (key: CryptoKey, claims: { aud: string; serviceUrl: string }) =>
    new SignJWT({ serviceurl: claims.serviceUrl })
      .setProtectedHeader({ alg: 'RS256', kid: 'key-1', typ: 'JWT' })
      .setIssuer(TOKEN_ISSUER)
      .setAudience(claims.aud)
      .setIssuedAt()
      .setNotBefore('-1m')
      .setExpirationTime('10m')
      .sign(key);
  return {
    url,
    /** The Bot Framework settings that point botbuilder at this provider (all of them, as it requires). */
    settings: (appId: string) => ({
      MicrosoftAppId: appId,
      MicrosoftAppPassword: 'test-password',
      ToBotFromChannelOpenIdMetadataUrl: `${url}/openid`,
      ToBotFromChannelTokenIssuer: TOKEN_ISSUER,
      ToBotFromEmulatorOpenIdMetadataUrl: `${url}/openid`,
      ToChannelFromBotLoginUrl: `${url}/login`,
      ToChannelFromBotOAuthScope: TOKEN_ISSUER,
      CallerId: 'urn:botframework:azure',
      ValidateAuthority: 'false',
    }),
    token: (claims: { aud: string; serviceUrl: string }) => sign(good.privateKey, claims),
    tokenWithWrongKey: (claims: { aud: string; serviceUrl: string }) => sign(wrong.privateKey, claims),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
