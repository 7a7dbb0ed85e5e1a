/** A browser: follows redirects between the server and the provider, keeps the server's cookies. */
export function oidcBrowser(appUrl: string) {
  const cookies = new Map<string, string>();
  const visit = async (start: string, init: RequestInit = {}) => {
    let at = new URL(start, appUrl);
    for (let hops = 0; hops < 10; hops++) {
      const mine = at.origin === new URL(appUrl).origin;
      const res = await fetch(at, {
        ...init,
        redirect: 'manual',
        headers: { ...(init.headers as object), ...(mine ? { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}) },
      });
      if (mine)
        for (const set of res.headers.getSetCookie()) {
          const [pair] = set.split(';');
          const [k, v] = pair!.split('=');
          if (/Max-Age=0/.test(set)) cookies.delete(k!);
          else cookies.set(k!, v!);
        }
      const next = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !next) return { res, url: at.href, text: await res.text() };
      at = new URL(next, at);
      init = {};
    }
    throw new Error('too many redirects');
  };
  /** A form posted as the page's would be: urlencoded, with the cookies. */
  const post = (path: string, form: Record<string, string>) =>
    visit(path, {
      method: 'POST',
      body: new URLSearchParams(form).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  return { visit, post, cookies };
}
