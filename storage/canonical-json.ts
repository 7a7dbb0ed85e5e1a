/**
 * Canonical JSON, in the manner of RFC 8785 (JCS): object keys sorted by UTF-16 code units, no
 * whitespace, strings and numbers as `JSON.stringify` writes them. One value always gives the same
 * bytes, so its hash can be recomputed by any verifier, in any language.
 *
 * Input must already be plain JSON data (see `frozenJsonCopy`): anything else is a bug and throws.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON: ${value} is not a JSON number`);
      return JSON.stringify(value);
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
      if (!isPlainObject(value)) throw new TypeError('canonical JSON: only plain objects and arrays');
      return `{${canonicalMembers(value)}}`;
    default:
      throw new TypeError(`canonical JSON: a ${typeof value} is not JSON`);
  }
}

function canonicalMembers(object: object): string {
  return canonicalMemberList(object)
    .map(([, member]) => member)
    .join(',');
}

/** `<` on strings compares UTF-16 code units, which is the order RFC 8785 asks for. */
const byKey = ([a]: readonly [string, unknown], [b]: readonly [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * An object's members in canonical order, each as `"key":value` text: an object's canonical JSON is
 * `{` + these joined by `,` + `}`. For a caller that writes two forms of one object (with and without
 * some members) from one serialisation of the rest (`chainEntry`).
 */
export function canonicalMemberList(object: object): [string, string][] {
  const members: [string, string][] = [];
  for (const [key, member] of Object.entries(object).sort(byKey)) {
    if (member !== undefined) members.push([key, `${JSON.stringify(key)}:${canonicalJson(member)}`]);
  }
  return members;
}

/** The canonical JSON of the object whose members are `members` plus `added` (keys not among them). */
export function withMembers(members: readonly [string, string][], added: Record<string, unknown>): string {
  const all = [...members, ...canonicalMemberList(added)].sort(byKey);
  return `{${all.map(([, member]) => member).join(',')}}`;
}

/**
 * What a value becomes once written and read back — Dates become strings, `undefined` members go —
 * deep-frozen. Stores keep only such copies: a caller's later mutation cannot reach stored state,
 * serialisation surprises show at once (as in botbuilder's MemoryStorage), and a record read from a
 * store cannot be changed behind the audit log's back.
 */
export function frozenJsonCopy<T>(value: T): T {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError('not JSON data');
  return deepFreeze(JSON.parse(text) as T);
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
