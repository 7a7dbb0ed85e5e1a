/**
 * The Prometheus text exposition format (version 0.0.4), checked strictly: every line is a HELP, a
 * TYPE, a sample or empty; every sample's family was typed before it; label values are quoted and
 * escaped; values are numbers. Throws on the first line that is not so.
 */
export interface Exposition {
  types: Map<string, string>;
  samples: { name: string; labels: Record<string, string>; value: number }[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*,?)?\\})? (\\S+)(?: (-?\\d+))?$`);
const HELP = new RegExp(`^# HELP (${NAME}) .*$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const SUFFIXES: Record<string, string[]> = { histogram: ['_bucket', '_sum', '_count'], summary: ['_sum', '_count', ''] };

export function parsePrometheusText(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Exposition['samples'] = [];
  text.split('\n').forEach((line, i) => {
    const where = `line ${i + 1}: ${JSON.stringify(line)}`;
    if (line === '' || HELP.test(line)) return;
    const typed = TYPE.exec(line);
    if (typed) {
      if (types.has(typed[1]!)) throw new Error(`${where}: a second TYPE`);
      return void types.set(typed[1]!, typed[2]!);
    }
    if (line.startsWith('#')) throw new Error(`${where}: a comment that is neither HELP nor TYPE`);
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`${where}: not a sample`);
    const [, name, labelText, valueText] = m;
    // As Prometheus reads them (Go's ParseFloat): NaN and Inf in any case; prom-client writes `Nan`.
    if (!/^(nan|[+-]?inf|-?\d+(\.\d+)?(e[+-]?\d+)?)$/i.test(valueText!)) throw new Error(`${where}: not a number`);
    const value = /inf/i.test(valueText!) ? (valueText!.startsWith('-') ? -Infinity : Infinity) : Number(valueText);
    const family = [...types].find(([f, type]) => (SUFFIXES[type] ?? ['']).some((suffix) => `${f}${suffix}` === name));
    if (!family) throw new Error(`${where}: a sample of no TYPE declared before it`);
    const labels: Record<string, string> = {};
    for (const [, key, raw] of (labelText ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[key!] = raw!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: name!, labels, value });
  });
  return { types, samples };
}

/** The value of the one sample of `name` whose labels are exactly `labels`; undefined when there is none. */
export function sampleValue(exposition: Exposition, name: string, labels: Record<string, string>): number | undefined {
  const same = (l: Record<string, string>) =>
    Object.keys(l).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => l[k] === v);
  const found = exposition.samples.filter((s) => s.name === name && same(s.labels));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}
