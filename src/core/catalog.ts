import { nameKey } from './names.ts';
import type { App, Policy } from './policy.ts';
import { policyIndex } from './policy-index.ts';

/** The app a name, alias, store id or bundle id refers to. */
export function findApp(policy: Policy, name: string): App | undefined {
  const idx = policyIndex(policy);
  // Names as typed repeat; remembering them skips normalising and a second lookup.
  let app = idx.appsByTypedName.get(name);
  if (app === undefined) {
    const key = nameKey(name);
    app = (key && idx.appsByKey.get(key)) || null;
    if (idx.appsByTypedName.size >= 100_000) idx.appsByTypedName.clear();
    idx.appsByTypedName.set(name, app);
  }
  return app ?? undefined;
}

export function appById(policy: Policy, id: string): App | undefined {
  return policyIndex(policy).appsById.get(id);
}
