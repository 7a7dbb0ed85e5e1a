import { randomUUID } from 'node:crypto';
import express, { type Express, type Request, type Response } from 'express';
import { handle, type Interaction, type Result } from '../../commands/entry/handle.ts';
import type { CommandContext } from '../../commands/shared/context.ts';
import type { Block } from '../../commands/shared/reply.ts';
import type { AppWarden } from '../../src/app.ts';
import type { Surface } from '../../src/http-app.ts';
import { html, type Html } from './html.ts';
import { ADMIN_CSS, page } from './page.ts';
import { renderReply } from './render-reply.ts';
import { cookieValue, createSessions, SESSION_COOKIE, sessionCookie, type Session } from './session.ts';

export interface WebOptions {
  /** Loopback demo mode: everyone who reaches the server is signed in as this person (an admin of the policy). */
  demoPerson: string;
  /** Cookies marked Secure: PUBLIC_URL is https. */
  secureCookies: boolean;
  log: (line: string, error?: unknown) => void;
}

/** No inline script or style anywhere: what a page runs and how it looks come from /admin/assets only. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
/** A rule id as the policy writes them: anything else in a URL is not a rule. */
const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** `/admin`: server-rendered pages of the command layer's replies, every one entered through `handle`. */
export function createWebSurface(bot: AppWarden, options: WebOptions): Surface {
  const sessions = createSessions();
  const localeOf = (req: Request) => {
    const asked = typeof req.query.lang === 'string' ? req.query.lang : req.acceptsLanguages('en', 'ja') || undefined;
    return asked === 'ja' ? 'ja' : 'en';
  };
  const ctxFor = (session: Session, req: Request): CommandContext => bot.contextFor(session.person, 'web', localeOf(req));
  const run = (interaction: Interaction, ctx: CommandContext): Promise<Result> => handle(interaction, ctx);
  const fileOf = (result: Result) => result.reply.blocks.find((b): b is Extract<Block, { type: 'file' }> => b.type === 'file');

  /** The signed-in session, or (demo mode) a new one for the demo admin, set on the response. */
  const sessionOf = (req: Request, res: Response): Session => {
    const found = sessions.read(cookieValue(req.headers.cookie, SESSION_COOKIE), Date.now());
    if (found) return found;
    const issued = sessions.issue(options.demoPerson, Date.now());
    res.append('Set-Cookie', sessionCookie(issued.cookie, options.secureCookies));
    return issued.session;
  };
  const send = (res: Response, req: Request, ctx: CommandContext, title: string, body: Html, status = 200) => {
    res
      .status(status)
      .type('html')
      .send(page(ctx.m, localeOf(req), title, ctx.person.name, body));
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

  return {
    name: 'web',
    mode: `/admin, loopback demo mode: everyone is signed in as ${options.demoPerson}`,
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

      app.get(
        '/admin',
        guarded(async (req, res) => {
          const ctx = ctxFor(sessionOf(req, res), req);
          const status = await run({ kind: 'text', text: 'status' }, ctx);
          send(res, req, ctx, ctx.m.t('web.nav.home'), renderReply(status.reply));
        }),
      );

      app.get(
        '/admin/compliance',
        guarded(async (req, res) => {
          const ctx = ctxFor(sessionOf(req, res), req);
          const result = await run({ kind: 'text', text: 'report compliance' }, ctx);
          const rules = [...new Set(((result.data as { rule: string }[] | undefined) ?? []).map((r) => r.rule))];
          send(
            res,
            req,
            ctx,
            ctx.m.t('web.nav.compliance'),
            html`${renderReply(result.reply)}
<ul>${rules.map((r) => html`<li><a href="/admin/compliance/${r}?lang=${localeOf(req)}">${r}</a></li>`)}</ul>
${result.ok ? html`<p><a href="/admin/compliance.csv" download>${ctx.m.t('web.downloadCsv')}</a></p>` : ''}`,
          );
        }),
      );

      app.get(
        ['/admin/compliance.csv', '/admin/compliance/:rule.csv'],
        guarded(async (req, res) => {
          const rule = req.params.rule as string | undefined;
          if (rule !== undefined && !RULE_ID.test(rule)) return void res.status(404).type('text/plain').send('not found');
          const ctx = ctxFor(sessionOf(req, res), req);
          const result = await run({ kind: 'text', text: `report compliance ${rule ?? ''} --format csv` }, ctx);
          const file = fileOf(result);
          if (!result.ok || !file) return send(res, req, ctx, ctx.m.t('web.nav.compliance'), renderReply(result.reply), 403);
          res.type('text/csv').attachment(file.name).send(file.content);
        }),
      );

      app.get(
        '/admin/compliance/:rule',
        guarded(async (req, res) => {
          const rule = req.params.rule as string;
          if (!RULE_ID.test(rule)) return void res.status(404).type('text/plain').send('not found');
          const ctx = ctxFor(sessionOf(req, res), req);
          const result = await run({ kind: 'text', text: `report compliance ${rule}` }, ctx);
          send(
            res,
            req,
            ctx,
            ctx.m.t('web.nav.compliance'),
            html`${renderReply(result.reply)}${result.ok ? html`<p><a href="/admin/compliance/${rule}.csv" download>${ctx.m.t('web.downloadCsv')}</a></p>` : ''}`,
            result.ok ? 200 : 403,
          );
        }),
      );

      // A census by its id (a GET form asks for it): the same roll-up and CSV as `report census ID`.
      app.get(
        ['/admin/census/:id.csv', '/admin/census', '/admin/census/:id'],
        guarded(async (req, res) => {
          const asked = (req.params.id as string | undefined) ?? (typeof req.query.id === 'string' ? req.query.id.trim() : '');
          if (asked && !RULE_ID.test(asked)) return void res.status(404).type('text/plain').send('not found');
          const ctx = ctxFor(sessionOf(req, res), req);
          const lang = localeOf(req);
          const ask = html`<form method="get" action="/admin/census"><input type="hidden" name="lang" value="${lang}">
<label>${ctx.m.t('web.censusId')} <input name="id" value="${asked}" maxlength="100"></label> <button type="submit">${ctx.m.t('web.show')}</button></form>`;
          if (!asked) return send(res, req, ctx, ctx.m.t('web.nav.census'), ask);
          const csv = req.path.endsWith('.csv');
          const result = await run({ kind: 'text', text: `report census ${asked}${csv ? ' --format csv' : ''}` }, ctx);
          const file = fileOf(result);
          if (csv && result.ok && file) return void res.type('text/csv').attachment(file.name).send(file.content);
          send(
            res,
            req,
            ctx,
            ctx.m.t('web.nav.census'),
            html`${ask}${renderReply(result.reply)}${result.ok ? html`<p><a href="/admin/census/${asked}.csv" download>${ctx.m.t('web.downloadCsv')}</a></p>` : ''}`,
            result.ok ? 200 : 403,
          );
        }),
      );

      app.get(
        '/admin/exceptions',
        guarded(async (req, res) => {
          const session = sessionOf(req, res);
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
            html`${renderReply(waiting.reply)}${cards.map((c) => renderReply(c.reply, forms))}${renderReply(granted.reply)}`,
          );
        }),
      );

      // A decision from the web is the click of a chat button: the same interaction, through handle.
      app.post(
        '/admin/actions',
        express.urlencoded({ extended: false, limit: '16kb' }),
        guarded(async (req, res) => {
          const session = sessions.read(cookieValue(req.headers.cookie, SESSION_COOKIE), Date.now());
          const body = (req.body ?? {}) as Record<string, unknown>;
          if (!session || !sessions.isCsrfToken(session, body.csrf)) return void res.status(403).type('text/plain').send('forbidden');
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
