import { ServiceClientCredentialsFactory } from 'botframework-connector';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeIdentityProvider } from '../support/fake-idp.ts';
import { APPROVALS, startTeamsBot, TEAMS, type TeamsBot } from '../support/teams-bot.ts';

const APP_ID = '00000000-0000-0000-0000-00000000a99a';

/** Outbound calls carry a fixed token: the inbound check is what these tests are about. */
class FixedTokenCredentials extends ServiceClientCredentialsFactory {
  async isValidAppId(appId: string) {
    return appId === APP_ID;
  }
  async isAuthenticationDisabled() {
    return false;
  }
  async createCredentials() {
    return {
      signRequest: async (request: { headers: { set(k: string, v: string): void } }) => (
        request.headers.set('authorization', 'Bearer outbound-test-token'), request
      ),
    } as never;
  }
}

let idp: Awaited<ReturnType<typeof startFakeIdentityProvider>>;
let t: TeamsBot;
beforeEach(async () => {
  idp = await startFakeIdentityProvider();
  t = await startTeamsBot(idp.settings(APP_ID), { credentialsFactory: new FixedTokenCredentials() });
});
afterEach(async () => {
  await t.stop();
  await idp.close();
});

describe('Teams with MicrosoftAppId set', () => {
  const attest = (headers?: Record<string, string>) => t.say('pierre', 'attest tiktok', headers);

  it('no token, a malformed token and a token signed by the wrong key each get 401 and nothing is processed', async () => {
    const wrong = await idp.tokenWithWrongKey({ aud: APP_ID, serviceUrl: t.connector.url });
    for (const headers of [{}, { Authorization: 'Bearer not.a.jwt' }, { Authorization: `Bearer ${wrong}` }] as Record<string, string>[]) {
      const res = await attest(headers);
      expect(res).toMatchObject({ status: 401, text: 'unauthorized' });
    }
    const otherAudience = await idp.token({ aud: 'someone-else', serviceUrl: t.connector.url });
    expect((await attest({ Authorization: `Bearer ${otherAudience}` })).status).toBe(401);
    await t.connector.idle();
    expect(t.connector.calls).toEqual([]);
    expect(t.store.count('attestations')).toBe(0);
  });

  it('a valid token is served: processed, and the reply sent with the bot’s own credentials', async () => {
    const token = await idp.token({ aud: APP_ID, serviceUrl: t.connector.url });
    const res = await attest({ Authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    expect(
      t.store
        .list('attestations')
        .map((a) => a.rule)
        .sort(),
    ).toEqual(['demo-recreational', 'demo-tiktok']);
    const reply = await t.connector.until(() => t.connector.calls[0], 'the reply');
    expect(reply.headers.authorization).toBe('Bearer outbound-test-token');
    expect(JSON.stringify(reply.body)).toContain('Recorded: you have removed TikTok');
  });

  it('the roster lookup for an approver’s Teams user id carries the bot’s own credentials too', async () => {
    const token = await idp.token({ aud: APP_ID, serviceUrl: t.connector.url });
    const request = 'request instagram --purpose public-communications --days 30 --reason "Agency campaign"';
    expect((await t.say('pierre', request, { Authorization: `Bearer ${token}` })).status).toBe(200);
    const lookup = await t.connector.until(() => t.connector.lookups[0], 'the roster lookup');
    expect(lookup).toMatchObject({ member: TEAMS.akiko, status: 200, conversation: APPROVALS });
    expect(lookup.headers.authorization).toBe('Bearer outbound-test-token');
  });
});
