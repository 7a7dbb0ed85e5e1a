import {
  Composer,
  Lexer,
  LineCounter,
  Parser,
  isAlias,
  isMap,
  isNode,
  isScalar,
  visit,
  type CST,
  type Document,
  type Node,
  type YAMLError,
} from 'yaml';
import { POLICY_LIMITS, validatePolicy, type Policy } from './policy-schema.ts';
import { quickRead } from './quick-yaml.ts';
import type { Issue, Result } from './result.ts';

export { formatIssues } from './result.ts';

const L = POLICY_LIMITS;

/**
 * YAML 1.2's core schema and nothing else, whatever `%YAML` the file declares: no `!!binary`, `!!set`,
 * `!!timestamp` or merge keys (`<<`); every other tag is unresolved, and refused. Duplicate keys are
 * found below in one pass (the library's own check compares every key with every other: quadratic).
 */
const YAML_OPTIONS = { schema: 'core', resolveKnownTags: false, merge: false, uniqueKeys: false } as const;

/** A problem in the YAML is reported with the ones before it; past this many, the rest are counted. */
const YAML_PROBLEMS_SHOWN = 100;

/**
 * Parse a policy document (YAML, of which JSON is a subset) and validate it. Every problem, by path;
 * never throws. A document over POLICY_LIMITS is refused before the costly step it would make costly.
 *
 * Most files are valid, so each is first read the quick way (quick-yaml.ts) and validated; a file
 * the quick reader declines, or whose policy has problems, is read again the careful way, whose
 * problems have their line and column. The answer is the careful reader's whenever there is a problem.
 */
export function parsePolicyText(text: string): Result<Policy> {
  if (utf8Length(text) <= L.bytes) {
    const quick = quickRead(text);
    if (quick.ok) {
      const checked = validatePolicy(quick.value);
      if (checked.ok) return checked;
    }
  }
  return parsePolicyTextCarefully(text);
}

/** `parsePolicyText` by the careful reader alone: the `yaml` library's documents, every node with its position. */
export function parsePolicyTextCarefully(text: string): Result<Policy> {
  const bytes = utf8Length(text);
  if (bytes > L.bytes)
    return refuse('policy.too_large', [{ path: '', code: 'too_large', message: `the file is ${bytes} bytes, at most ${L.bytes}` }]);
  let data: Result<Read>;
  // The parser makes an Error per problem it meets, and a stack trace is most of an Error's cost:
  // a file of a million stray brackets spends seconds on them. Nothing else runs until this returns.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    data = readYaml(text);
  } catch (e) {
    // The parser's own faults (none known) are about this document all the same: a problem, not a crash.
    data = refuse('policy.unreadable', [{ path: '', code: 'unreadable', message: `not readable as YAML: ${firstLine(e)}` }]);
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  if (!data.ok) return data;
  const { value, problems } = data.value;
  const checked = validatePolicy(value);
  if (!problems.length) return checked;
  // A duplicate key leaves a document all the same (the later value is the one read): its problems
  // are reported in the same run, after the YAML's own.
  return checked.ok ? refuse('policy.unreadable', problems) : refuse(checked.code, [...problems, ...checked.issues]);
}

/** The document as read, and the problems that leave it readable all the same (duplicate keys). */
export type Read = { value: unknown; problems: Issue[] };

/** The document as plain data, or why not: syntax, tags, nesting, keys, anchors and aliases. The careful reader. */
export function readYaml(text: string): Result<Read> {
  const lines = new LineCounter();
  const at = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return `line ${line}, column ${col}`;
  };
  const parser = new Parser(lines.addNewLine);
  let stopped: { code: string; issue: Issue } | undefined;
  const stop = (code: string, offset: number, issueCode: string, message: string) =>
    void (stopped = { code, issue: { path: at(offset), code: issueCode, message } });
  // The parser holds its whole tree until the document ends: stop it as soon as the tree gets too big.
  function* tokens() {
    lines.addNewLine(0);
    let count = 0;
    let first: CST.ErrorToken | undefined;
    let errors = 0;
    for (const lexeme of new Lexer().lex(text)) {
      if (++count > L.yamlTokens) {
        return stop('policy.too_large', parser.offset, 'too_large', `more than ${L.yamlTokens} YAML tokens`);
      }
      for (const token of parser.next(lexeme)) {
        // Stray tokens between documents come one by one: no need to collect a million of them.
        if (token.type === 'error' && (first ??= token) && ++errors > YAML_PROBLEMS_SHOWN)
          return stop(
            'policy.unreadable',
            first.offset,
            'unreadable',
            `${first.message}, and ${YAML_PROBLEMS_SHOWN} more stray tokens after it`,
          );
        yield token;
      }
      if (parser.stack.length > L.depth) {
        return stop('policy.too_large', parser.offset, 'too_deep', `collections nested more than ${L.depth} deep`);
      }
    }
    yield* parser.end();
  }
  let doc: Document.Parsed | undefined;
  let documents = 0;
  for (const d of new Composer(YAML_OPTIONS).compose(tokens(), true, text.length)) {
    doc ??= d;
    if (++documents > 1) break;
  }
  if (stopped) return refuse(stopped.code, [stopped.issue]);
  if (!doc) return refuse('policy.unreadable', [{ path: '', code: 'unreadable', message: 'no YAML document' }]);

  const problems: Issue[] = doc.errors.map((e) => yamlIssue(e, at));
  if (documents > 1) problems.push({ path: '', code: 'multiple_docs', message: 'more than one YAML document (---): a policy is one' });
  for (const w of doc.warnings)
    if (w.code === 'TAG_RESOLVE_FAILED' || w.code === 'BAD_COLLECTION_TYPE') problems.push(tagIssue(text, w, at));
  if (!problems.length) problems.push(...structureIssues(doc, at));
  const shown = problems.slice(0, YAML_PROBLEMS_SHOWN);
  if (problems.length > shown.length)
    shown.push({ path: '', code: 'more_problems', message: `${problems.length - shown.length} more YAML problems after these` });
  if (!problems.every((p) => p.code === 'duplicate_key')) return refuse('policy.unreadable', shown);
  try {
    return { ok: true, value: { value: doc.toJS({ maxAliasCount: L.aliasExpansion }), problems: shown } };
  } catch (e) {
    // Unknown and self-containing aliases are refused above; what is left is `yaml`'s maxAliasCount.
    if (e instanceof ReferenceError)
      return refuse('policy.unreadable', [
        {
          path: '',
          code: 'alias_expansion',
          message: `aliases expand past ${L.aliasExpansion} copies (an alias bomb): write the values out`,
        },
      ]);
    throw e;
  }
}

/**
 * What the schema never needs and a hostile file uses: mappings with a great many keys, duplicate keys,
 * anchors and aliases past the limit, aliases to no anchor or to a node that contains them. One pass.
 */
function structureIssues(doc: Document.Parsed, at: (offset: number) => string): Issue[] {
  const issues: Issue[] = [];
  const latest = new Map<string, Node>();
  let marks = 0;
  visit(doc, (_key, node, path) => {
    if (isAlias(node)) {
      const target = latest.get(node.source);
      if (!target)
        issues.push({ path: at(offset(node)), code: 'unknown_alias', message: `alias *${node.source} names no anchor before it` });
      else if (path.includes(target))
        issues.push({ path: at(offset(node)), code: 'recursive_alias', message: `alias *${node.source} is inside the node it names` });
    }
    if (isNode(node) && node.anchor) latest.set(node.anchor, node);
    if ((isAlias(node) || (isNode(node) && node.anchor)) && ++marks > L.anchorsAndAliases) {
      issues.push({ path: at(offset(node)), code: 'too_many_aliases', message: `more than ${L.anchorsAndAliases} anchors and aliases` });
      return visit.BREAK;
    }
    if (isMap(node)) {
      if (node.items.length > L.keysPerMap) {
        issues.push({
          path: at(offset(node)),
          code: 'too_many_keys',
          message: `${node.items.length} keys in one mapping, at most ${L.keysPerMap}`,
        });
        return visit.SKIP;
      }
      const keys = new Set<unknown>();
      for (const { key } of node.items) {
        if (!isScalar(key)) continue;
        if (keys.has(key.value))
          issues.push({ path: at(offset(key)), code: 'duplicate_key', message: `duplicate key "${String(key.value)}"` });
        keys.add(key.value);
      }
    }
    return undefined;
  });
  return issues;
}

const offset = (node: { range?: readonly number[] | null }) => node.range?.[0] ?? 0;

function yamlIssue(e: YAMLError, at: (offset: number) => string): Issue {
  return { path: at(e.pos[0]), code: e.code.toLowerCase(), message: firstLine(e) };
}

/** YAML's core tags, as they may be written: these are plain values, and allowed. */
const CORE_TAG = /^!(?:!|<tag:yaml\.org,2002:)(?:str|int|float|bool|null|map|seq)>?$/;

/** `unknown tag !!js/function`: named as written in the file. */
function tagIssue(text: string, w: YAMLError, at: (offset: number) => string): Issue {
  const tag = /^!\S*/.exec(text.slice(w.pos[0], w.pos[0] + 200))?.[0];
  if (!tag) return { path: at(w.pos[0]), code: w.code.toLowerCase(), message: firstLine(w) };
  if (CORE_TAG.test(tag)) return { path: at(w.pos[0]), code: 'bad_tag_value', message: `the value is not what ${tag} says it is` };
  return {
    path: at(w.pos[0]),
    code: 'unknown_tag',
    message: `unknown tag ${tag}: a policy takes plain values (no tags but !!str, !!int, !!float, !!bool, !!null, !!seq, !!map)`,
  };
}

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';

const refuse = (code: string, issues: Issue[]): Result<never> => ({ ok: false, code, issues });

/** Bytes of `text` in UTF-8, without encoding it. */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdfff ? 2 : 3; // a surrogate pair: 4
  }
  return bytes;
}
