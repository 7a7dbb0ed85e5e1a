import { randomUUID } from 'node:crypto';
import { LOCALES } from '../../src/core/policy.ts';
import express, { type Express, type Request, type Response } from 'express';
import {
  handle,
  type AuditFound,
  type AuditQuery,
  type AuditVerification,
  type Interaction,
  type Result,
} from '../../commands/entry/handle.ts';
import type { CommandContext } from '../../commands/shared/context.ts';
import type { Block } from '../../commands/shared/reply.ts';
import type { AppWarden } from '../../src/app.ts';
import type { Surface } from '../../src/http-app.ts';
import { html, type Html } from './html.ts';
import { ADMIN_CSS, ADMIN_ICON, page } from './page.ts';
import { renderReply } from './render-reply.ts';
import { clientAssets } from './assets.ts';
import { AUDIT_SHOWN, auditSearchForm, auditTable, censusSections, complianceSections, exceptionTables } from './figures-html.ts';
import type { OidcSignIn, PendingSignIn, SignedIn } from './oidc-sign-in.ts';
import type { SessionRevocations } from './session.ts';
import {
  clearedSessionCookie,
  cookieValue,
  createSessions,
  SESSION_COOKIE,
  SIGN_IN_COOKIE,
  sessionCookie,
  signInCookie,
  type Session,
} from './session.ts';

export interface WebOptions {
  /**
   * `demo`: loopback only, everyone who reaches the server is signed in as this person (an admin of the
   * policy). `oidc`: people sign in with the organisation's identity provider.
   */
  signIn: { kind: 'demo'; person: string } | { kind: 'oidc'; oidc: OidcSignIn };
  /** Cookies marked Secure: PUBLIC_URL is https. */
  secureCookies: boolean;
  /** What signs the cookies: shared by the replicas (SESSION_SECRET, or the store's); else the process's own. */
  sessionKey?: Buffer;
  /** Sessions signed out before their time, shared by the replicas: a copy of a signed-out cookie is refused too. */
  revocations?: SessionRevocations;
  log: (line: string, error?: unknown) => void;
}

/** No inline script or style anywhere: what a page runs and how it looks come from /admin/assets only. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
/**
 * Where to go after signing in: a path of /admin on this server, never another site (`//evil.example`,
 * `/admin\\…`, a scheme): anything else is dropped.
 */
function returnPath(next: unknown): string | undefined {
  if (typeof next !== 'string' || next.length > 500) return undefined;
  return /^\/admin(?:[/?][\w\-./?=&%~+:,]*)?$/.test(next) && !next.includes('//') ? next : undefined;
}

/** A rule id as the policy writes them: anything else in a URL is not a rule. */
const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** `/admin`: server-rendered pages of the command layer's replies, every one entered through `handle`. */
export function createWebSurface(bot: AppWarden, options: WebOptions): Surface {
  const sessions = createSessions(options.sessionKey);
  const assets = clientAssets();
  assets.catch((e: Error) => options.log(`web: the chart script could not be built: ${e.message}`, e));
  const localeOf = (req: Request) => {
    const asked = typeof req.query.lang === 'string' ? req.query.lang : req.acceptsLanguages(...LOCALES) || undefined;
    return LOCALES.find((locale) => locale === asked) ?? 'en';
  };
  const ctxFor = (session: Session, req: Request): CommandContext => bot.contextFor(session.person, 'web', localeOf(req));
  const run = (interaction: Interaction, ctx: CommandContext): Promise<Result> => handle(interaction, ctx);
  const fileOf = (result: Result) => result.reply.blocks.find((b): b is Extract<Block, { type: 'file' }> => b.type === 'file');

  const signIn = options.signIn;
  /** The browser's session, if its cookie is sound, unexpired and not signed out. */
  const readSession = async (req: Request): Promise<Session | undefined> => {
    const found = sessions.read(cookieValue(req.headers.cookie, SESSION_COOKIE), Date.now());
    return found && !(await options.revocations?.isRevoked(found.sid)) ? found : undefined;
  };
  /** The signed-in session; in demo mode a new one for the demo admin, set on the response; else none. */
  const sessionOf = async (req: Request, res: Response): Promise<Session | undefined> => {
    const found = await readSession(req);
    if (found || signIn.kind !== 'demo') return found;
    const issued = sessions.issue(signIn.person, Date.now());
    res.append('Set-Cookie', sessionCookie(issued.cookie, options.secureCookies));
    return issued.session;
  };
  /** A page for the signed-in: anyone else is sent to sign in first. */
  const signedIn =
    (work: (req: Request, res: Response, session: Session) => Promise<void>) =>
    async (req: Request, res: Response): Promise<void> => {
      const session = await sessionOf(req, res);
      if (!session) {
        // Back to the page asked for once signed in (a page of ours only: see returnPath).
        const next = req.method === 'GET' && req.originalUrl !== '/admin' ? `?next=${encodeURIComponent(req.originalUrl)}` : '';
        return void res.redirect(303, `/admin/login${next}`);
      }
      res.locals.session = session;
      return work(req, res, session);
    };
  /** The person of the policy (or directory) the provider's claims name: platform ids first, then email. */
  const personOf = (who: SignedIn): string | undefined => {
    for (const ref of [who.slack, who.teams, who.email]) {
      if (!ref) continue;
      const person = bot.contextFor(ref, 'web').person;
      if (person.listed) return person.id;
    }
    return undefined;
  };
  const send = (res: Response, req: Request, ctx: CommandContext, title: string, body: Html, status = 200) => {
    const session = res.locals.session as Session | undefined;
    // Signing out means something only with an identity provider: in demo mode the next page signs in again.
    const signOut = session && signIn.kind === 'oidc' ? { csrf: sessions.csrfToken(session) } : undefined;
    res
      .status(status)
      .type('html')
      .send(page(ctx.m, localeOf(req), title, ctx.person.name, body, signOut));
  };
  /** Faults are caught here, once: logged with a reference, answered with a short apology. */
  const guarded = (work: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
    try {
      await work(req, res);
    } catch (e) {
      const ref = randomUUID().slice(0, 8);
      options.log(`web: fault ${ref} on ${req.method} ${req.path}: ${(e as Error).message}`, e);
      if (!res.headersSent) res.status(500).type('text/plain').send(`Something went wrong (reference ${ref}).`);
    }
  };

  /**
   * A form posted by the signed-in, with the CSRF token its page carried: its session and fields, its
   * faults caught. Anything else is 403 and nothing happens.
   */
  const postedForm = (
    limit: string,
    work: (req: Request, res: Response, session: Session, body: Record<string, unknown>) => Promise<void>,
  ) => [
    express.urlencoded({ extended: false, limit }),
    guarded(async (req, res) => {
      const session = await readSession(req);
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (!session || !sessions.isCsrfToken(session, body.csrf)) return void res.status(403).type('text/plain').send('forbidden');
      return work(req, res, session, body);
    }),
  ];

  /** A page for the signed-in, its faults caught. */
  const forSignedIn = (work: (req: Request, res: Response, session: Session) => Promise<void>) => guarded(signedIn(work));
  const notFound = (res: Response) => void res.status(404).type('text/plain').send('not found');
  /** A CSV the command layer made (its `file` block), or the refusal as a page. */
  const sendCsv = (req: Request, res: Response, ctx: CommandContext, title: string, result: Result) => {
    const file = fileOf(result);
    if (!result.ok || !file) return send(res, req, ctx, title, renderReply(result.reply), 403);
    res.type('text/csv').attachment(file.name).send(file.content);
  };
  const csvLink = (href: string, ctx: CommandContext) => html`<p><a href="${href}" download>${ctx.m.t('web.downloadCsv')}</a></p>`;

  return {
    name: 'web',
    kind: 'web',
    mode:
      signIn.kind === 'demo'
        ? `/admin, loopback demo mode: everyone is signed in as ${signIn.person}`
        : '/admin, sign-in with the identity provider (OIDC)',
    mount(app: Express) {
      app.use('/admin', (_req, res, next) => {
        res.set({
          'Content-Security-Policy': CSP,
          'X-Content-Type-Options': 'nosniff',
          'Referrer-Policy': 'same-origin',
          'Cache-Control': 'no-store',
        });
        next();
      });
      app.get('/admin/assets/admin.css', (_req, res) => void res.type('text/css').send(ADMIN_CSS));
      app.get('/admin/assets/icon.svg', (_req, res) => void res.type('image/svg+xml').send(ADMIN_ICON));
      app.get(
        ['/admin/assets/charts.js', '/admin/assets/charts.css'],
        guarded(async (req, res) => {
          const built = await assets;
          if (req.path.endsWith('.js')) res.type('text/javascript').send(built.js);
          else res.type('text/css').send(built.css);
        }),
      );

      if (signIn.kind === 'oidc') {
        app.get(
          '/admin/login',
          guarded(async (req, res) => {
            const { url, pending } = await signIn.oidc.start();
            const next = returnPath(req.query.next);
            res.append(
              'Set-Cookie',
              signInCookie(sessions.sealSignIn({ ...pending, ...(next ? { next } : {}) }, Date.now()), options.secureCookies),
            );
            res.redirect(303, url);
          }),
        );
        app.get(
          '/admin/callback',
          guarded(async (req, res) => {
            const pending = sessions.openSignIn<PendingSignIn & { next?: string }>(
              cookieValue(req.headers.cookie, SIGN_IN_COOKIE),
              Date.now(),
            );
            if (!pending) return void res.status(400).type('text/plain').send('sign-in expired or not started here: open /admin again');
            const who = await signIn.oidc.finish(req.originalUrl, pending).catch((e: Error) => {
              options.log(`web: sign-in refused: ${e.message}`);
              return undefined;
            });
            if (!who) return void res.status(403).type('text/plain').send('sign-in failed');
            const person = personOf(who);
            if (!person)
              return void res.status(403).type('text/plain').send('you are not a person of this organisation’s policy or directory');
            const issued = sessions.issue(person, Date.now());
            res.append('Set-Cookie', sessionCookie(issued.cookie, options.secureCookies));
            res.append('Set-Cookie', signInCookie('', options.secureCookies).replace('Max-Age=600', 'Max-Age=0'));
            res.redirect(303, returnPath(pending.next) ?? '/admin');
          }),
        );
      }

      const ownStatus = async (req: Request, res: Response, session: Session) => {
        const ctx = ctxFor(session, req);
        const status = await run({ kind: 'text', text: 'status' }, ctx);
        send(res, req, ctx, ctx.m.t('web.nav.home'), renderReply(status.reply));
      };
      app.get('/admin', forSignedIn(ownStatus));

      // Signing out: a form (CSRF token and all), never a link a page elsewhere could make a browser follow.
      app.post(
        '/admin/logout',
        ...postedForm('4kb', async (req, res, session) => {
          await options.revocations?.revoke(session.sid, session.expires);
          res.append('Set-Cookie', clearedSessionCookie(options.secureCookies));
          const m = bot.contextFor(session.person, 'web', localeOf(req)).m;
          res
            .status(200)
            .type('html')
            .send(
              page(
                m,
                localeOf(req),
                m.t('web.signedOut'),
                undefined,
                html`<p><a href="/admin?lang=${localeOf(req)}">${m.t('web.signInAgain')}</a></p>`,
              ),
            );
        }),
      );
      // A person's own page. Nobody opens another's: there is no command that shows someone else's status.
      app.get(
        '/admin/people/:id',
        forSignedIn(async (req, res, session) => (req.params.id === session.person ? ownStatus(req, res, session) : notFound(res))),
      );

      app.get(
        '/admin/compliance',
        forSignedIn(async (req, res, session) => {
          const ctx = ctxFor(session, req);
          const result = await run({ kind: 'text', text: 'report compliance' }, ctx);
          const rules = [...new Set(((result.data as { rule: string }[] | undefined) ?? []).map((r) => r.rule))];
          send(
            res,
            req,
            ctx,
            ctx.m.t('web.nav.compliance'),
            html`${renderReply(result.reply)}
<ul>${rules.map((r) => html`<li><a href="/admin/compliance/${r}?lang=${localeOf(req)}">${r}</a></li>`)}</ul>
${result.ok ? csvLink('/admin/compliance.csv', ctx) : ''}${result.ok ? complianceSections(result, ctx) : ''}`,
            result.ok ? 200 : 403,
          );
        }),
      );

      app.get(
        ['/admin/compliance.csv', '/admin/compliance/:rule.csv'],
        forSignedIn(async (req, res, session) => {
          const rule = req.params.rule as string | undefined;
          if (rule !== undefined && !RULE_ID.test(rule)) return notFound(res);
          const ctx = ctxFor(session, req);
          const result = await run({ kind: 'text', text: `report compliance ${rule ?? ''} --format csv` }, ctx);
          sendCsv(req, res, ctx, ctx.m.t('web.nav.compliance'), result);
        }),
      );

      app.get(
        '/admin/compliance/:rule',
        forSignedIn(async (req, res, session) => {
          const rule = req.params.rule as string;
          if (!RULE_ID.test(rule)) return notFound(res);
          const ctx = ctxFor(session, req);
          const result = await run({ kind: 'text', text: `report compliance ${rule}` }, ctx);
          send(
            res,
            req,
            ctx,
            ctx.m.t('web.nav.compliance'),
            html`${renderReply(result.reply)}${result.ok ? csvLink(`/admin/compliance/${rule}.csv`, ctx) : ''}${result.ok ? complianceSections(result, ctx) : ''}`,
            result.ok ? 200 : 403,
          );
        }),
      );

      // A census by its id (a GET form asks for it): the same roll-up and CSV as `report census ID`.
      app.get(
        ['/admin/census/:id.csv', '/admin/census', '/admin/census/:id'],
        forSignedIn(async (req, res, session) => {
          const asked = (req.params.id as string | undefined) ?? (typeof req.query.id === 'string' ? req.query.id.trim() : '');
          if (asked && !RULE_ID.test(asked)) return notFound(res);
          const ctx = ctxFor(session, req);
          const lang = localeOf(req);
          const ask = html`<form method="get" action="/admin/census"><input type="hidden" name="lang" value="${lang}">
<label>${ctx.m.t('web.censusId')} <input name="id" value="${asked}" maxlength="100"></label> <button type="submit">${ctx.m.t('web.show')}</button></form>`;
          if (!asked) return send(res, req, ctx, ctx.m.t('web.nav.census'), ask);
          if (req.path.endsWith('.csv'))
            return sendCsv(
              req,
              res,
              ctx,
              ctx.m.t('web.nav.census'),
              await run({ kind: 'text', text: `report census ${asked} --format csv` }, ctx),
            );
          const result = await run({ kind: 'text', text: `report census ${asked}` }, ctx);
          send(
            res,
            req,
            ctx,
            ctx.m.t('web.nav.census'),
            html`${ask}${renderReply(result.reply)}${result.ok ? html`${csvLink(`/admin/census/${asked}.csv`, ctx)}${censusSections(result, ctx)}` : ''}`,
            result.ok ? 200 : 403,
          );
        }),
      );

      app.get(
        '/admin/exceptions.csv',
        forSignedIn(async (req, res, session) => {
          const ctx = ctxFor(session, req);
          sendCsv(req, res, ctx, ctx.m.t('web.nav.exceptions'), await run({ kind: 'text', text: 'report exceptions --format csv' }, ctx));
        }),
      );

      app.get(
        '/admin/exceptions',
        forSignedIn(async (req, res, session) => {
          const ctx = ctxFor(session, req);
          const granted = await run({ kind: 'text', text: 'report exceptions' }, ctx);
          const waiting = await run({ kind: 'text', text: 'pending' }, ctx);
          // Each waiting request as its approvals card shows it to this person: Approve / Deny only where they may decide.
          const ids = waiting.ok ? ((waiting.data as { id: string }[] | undefined) ?? []).map((r) => r.id) : [];
          const cards = await Promise.all(ids.map((id) => run({ kind: 'view', view: 'request-card', id }, ctx)));
          const forms = { csrf: sessions.csrfToken(session), reasonLabel: ctx.m.t('web.denyReason') };
          send(
            res,
            req,
            ctx,
            ctx.m.t('web.nav.exceptions'),
            // An admin who decides nothing has no queue; a staff member has neither (403).
            html`${
              waiting.ok || !granted.ok
                ? html`<section class="exceptions" id="pending"><h2>${ctx.m.t('web.ex.pending')} (${ids.length})</h2>${renderReply(waiting.reply)}${cards.map((c) => renderReply(c.reply, forms))}</section>`
                : ''
            }
${granted.ok ? html`${exceptionTables(granted, ctx)}${csvLink('/admin/exceptions.csv', ctx)}` : ''}`,
            waiting.ok || granted.ok ? 200 : 403,
          );
        }),
      );

      // The audit record: admins search it, verify its chain and export what they found (the command layer refuses anyone else).
      const auditQuery = (req: Request): AuditQuery => {
        const q = (name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string).trim().slice(0, 200) : '');
        const given = Object.fromEntries(['person', 'rule', 'action', 'from', 'to'].map((k) => [k, q(k)]).filter(([, v]) => v));
        return given as AuditQuery;
      };
      app.get(
        '/admin/audit.jsonl',
        forSignedIn(async (req, res, session) => {
          const ctx = ctxFor(session, req);
          const result = await run({ kind: 'audit', query: auditQuery(req) }, ctx);
          if (!result.ok)
            return send(res, req, ctx, ctx.m.t('web.nav.audit'), renderReply(result.reply), result.code === 'not_admin' ? 403 : 400);
          const { entries } = result.data as AuditFound;
          res
            .attachment('audit.jsonl')
            .type('application/x-ndjson; charset=utf-8')
            .send(
              entries
                .reverse()
                .map((e) => `${JSON.stringify(e)}\n`)
                .join(''),
            );
        }),
      );
      app.get(
        '/admin/audit',
        forSignedIn(async (req, res, session) => {
          const ctx = ctxFor(session, req);
          const query = auditQuery(req);
          const title = ctx.m.t('web.nav.audit');
          const verified = req.query.verify === '1' ? await run({ kind: 'audit-verify' }, ctx) : undefined;
          if (verified && !verified.ok) return send(res, req, ctx, title, renderReply(verified.reply), 403);
          // A chain that fails verification is shown as such, not searched: its entries cannot be trusted (nor always read).
          if (verified && !(verified.data as AuditVerification).ok)
            return send(res, req, ctx, title, html`${auditSearchForm(query, localeOf(req), ctx)}${renderReply(verified.reply)}`);
          const result = await run({ kind: 'audit', query: { ...query, limit: AUDIT_SHOWN } }, ctx);
          if (!result.ok && result.code === 'not_admin') return send(res, req, ctx, title, renderReply(result.reply), 403);
          const found = result.ok ? (result.data as AuditFound) : undefined;
          const exportQuery = new URLSearchParams(query as Record<string, string>).toString();
          send(
            res,
            req,
            ctx,
            title,
            html`${auditSearchForm(query, localeOf(req), ctx)}${verified ? renderReply(verified.reply) : ''}${renderReply(result.reply)}${
              found
                ? html`${auditTable(found.entries, ctx)}<p><a href="/admin/audit.jsonl?${exportQuery}" download>${ctx.m.t('web.audit.exportJsonl')}</a></p>`
                : ''
            }`,
            result.ok ? 200 : 400,
          );
        }),
      );

      // A decision from the web is the click of a chat button: the same interaction, through handle.
      app.post(
        '/admin/actions',
        ...postedForm('16kb', async (req, res, session, body) => {
          const ctx = ctxFor(session, req);
          const value = typeof body.value === 'string' ? body.value : '';
          const reason = typeof body.reason === 'string' && body.reason.trim() ? body.reason.trim() : undefined;
          let result: Result;
          if (body.action === 'request.approve') result = await run({ kind: 'button', action: 'request.approve', value }, ctx);
          else if (body.action === 'request.deny')
            result = await run({ kind: 'form', form: 'deny', values: { reason }, meta: { id: value } }, ctx);
          else return void res.status(400).type('text/plain').send('unknown action');
          await bot.drain();
          send(
            res,
            req,
            ctx,
            ctx.m.t('web.nav.exceptions'),
            html`${renderReply(result.reply)}<p><a href="/admin/exceptions?lang=${localeOf(req)}">${ctx.m.t('web.back')}</a></p>`,
            result.ok ? 200 : 403,
          );
        }),
      );
    },
  };
}
