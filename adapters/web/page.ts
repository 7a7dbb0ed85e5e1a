import type { Wording } from '../../commands/wording/wording.ts';
import { LOCALES, type Locale } from '../../src/core/policy.ts';
import { html, type Html } from './html.ts';

/** The links of every page's header. */
const NAV = [
  ['/admin', 'web.nav.home'],
  ['/admin/compliance', 'web.nav.compliance'],
  ['/admin/exceptions', 'web.nav.exceptions'],
  ['/admin/census', 'web.nav.census'],
  ['/admin/audit', 'web.nav.audit'],
] as const;

/** Each language by its own name, for the switch between them. */
const LANGUAGE_NAMES: Record<Locale, string> = { en: 'English', ja: '日本語', fr: 'Français' };

/**
 * One page: the shell every page shares, its styles and its one script from /admin/assets (no inline
 * style or script: see the CSP). `signOut`: the session's CSRF token, for the sign-out form.
 */
export function page(
  m: Wording,
  locale: string,
  title: string,
  signedInAs: string | undefined,
  body: Html,
  signOut?: { csrf: string },
): string {
  const others = LOCALES.filter((l) => l !== locale);
  return `<!doctype html>${
    html`<html lang="${locale}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · AppWarden</title>
<link rel="icon" href="/admin/assets/icon.svg"><link rel="stylesheet" href="/admin/assets/admin.css"><link rel="stylesheet" href="/admin/assets/charts.css">
<script src="/admin/assets/charts.js" defer></script></head>
<body><header><nav>${NAV.map(([href, key]) => html`<a href="${href}?lang=${locale}">${m.t(key)}</a>`)}</nav>
<div class="who">${signedInAs ? m.t('web.signedInAs', { name: signedInAs }) : ''}${others.map((l) => html` · <a href="?lang=${l}" lang="${l}">${LANGUAGE_NAMES[l]}</a>`)}${
      signOut
        ? html` <form method="post" action="/admin/logout" class="sign-out"><input type="hidden" name="csrf" value="${signOut.csrf}"><button type="submit">${m.t('web.signOut')}</button></form>`
        : ''
    }</div></header>
<main><h1>${title}</h1>${body}</main></body></html>`.__html
  }`;
}

/** Small, readable on a phone: one column, tables that scroll sideways rather than overflow. */
export const ADMIN_CSS = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#1b1f24;background:#f6f7f9}
header{background:#1f3a5f;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;justify-content:space-between;gap:.5rem}
header a{color:#fff;margin-right:1rem}header nav{display:flex;flex-wrap:wrap;row-gap:.25rem}header nav a{white-space:nowrap}main{max-width:60rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:1.5rem}.note{color:#57606a;font-size:.9rem}
.reply{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:.5rem 1rem;margin:1rem 0;overflow-x:auto}
.actions{display:flex;flex-wrap:wrap;gap:.5rem}form.action{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
button{font:inherit;padding:.35rem .9rem;border-radius:6px;border:1px solid #8c959f;background:#fff}
button.primary{background:#1f883d;color:#fff;border-color:#1f883d}button.danger{background:#cf222e;color:#fff;border-color:#cf222e}
input{font:inherit;padding:.3rem}ul{padding-left:1.2rem}
table{border-collapse:collapse;background:#fff;margin:.5rem 0;display:block;overflow-x:auto;max-width:100%}
th,td{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:left}td{font-variant-numeric:tabular-nums}
.chart{margin:.5rem 0;overflow-x:auto}.chart[data-rendered]{background:#fff;border:1px solid #d0d7de;border-radius:6px}
form.sign-out{display:inline;margin-left:.5rem}form.sign-out button{padding:.1rem .6rem;font-size:.9rem}
form.search{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}form.search label{display:flex;flex-direction:column;font-size:.9rem}
@media (max-width:40rem){header{flex-direction:column}main{padding:.5rem}}
`;

/** The tab's icon (else a browser asks for /favicon.ico, which is not ours). */
export const ADMIN_ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1f3a5f"/><path d="M4 8.5l2.5 2.5L12 5" stroke="#fff" stroke-width="2" fill="none"/></svg>`;
