/**
 * The platform-neutral reply every command returns. Text is plain (never markup): each adapter
 * escapes it for its surface (Slack mrkdwn, Teams cards, a terminal).
 */
export type Tone = 'ok' | 'warn' | 'stop' | 'info' | 'error';

export interface Button {
  /** Stable id the adapter routes clicks by, e.g. `request.approve`. */
  actionId: string;
  label: string;
  /** Opaque to the platform: what the click is about, e.g. a request id. */
  value: string;
  style?: 'primary' | 'danger';
}

/**
 * What a list leaves out: how many items, and the line that says so and how to get them all, in the
 * reader's language, `{count}` standing for the number (a renderer that must drop more items to fit
 * its platform raises the count, so the line stays true).
 */
export interface More {
  count: number;
  hint: string;
}

export type Block =
  | { type: 'heading'; text: string }
  | { type: 'text'; text: string }
  | { type: 'list'; items: string[]; more?: More }
  /** Labelled values; in plain text each is `label`, `separator`, `value` (the catalogue's `labels.separator`: `: `, `：`, French `\u202f: `). */
  | { type: 'fields'; fields: { label: string; value: string }[]; separator: string }
  | { type: 'note'; text: string }
  | { type: 'actions'; buttons: Button[] }
  /** A file to hand over (Slack: upload; CLI: print). */
  | { type: 'file'; name: string; mime: string; content: string };

export interface Reply {
  /** Private: only the asker sees it (Slack ephemeral, Teams personal chat). */
  visibility: 'private' | 'public';
  tone: Tone;
  blocks: Block[];
}

export const reply = (tone: Tone, blocks: Block[], visibility: Reply['visibility'] = 'private'): Reply => ({ visibility, tone, blocks });

/** The reply as plain lines: the text fallback for notifications, the CLI, and screen readers. */
export function replyText(r: Reply): string {
  return r.blocks
    .flatMap((b): string[] => {
      switch (b.type) {
        case 'heading':
        case 'text':
        case 'note':
          return [b.text];
        case 'list':
          return [...b.items.map((i) => `• ${i}`), ...(b.more ? [moreLine(b.more)] : [])];
        case 'fields':
          return b.fields.map((f) => `${f.label}${b.separator}${f.value}`);
        case 'actions':
          return [];
        case 'file':
          return [b.content];
      }
    })
    .join('\n');
}

/** The "N more — …" line of a list that leaves items out. */
export const moreLine = (more: More) => more.hint.replace('{count}', more.count.toLocaleString('en'));

/**
 * How much of a list one chat message shows, decided here in items and characters so that Slack,
 * Teams and the terminal show the same items and the same "N more" line. A reply's lists together
 * stay within about 60 items and 4,500 characters: well inside Slack's blocks and Teams' ~28 KB
 * (UTF-16) activity, so the renderers' own limits are a last resort that normal replies never reach.
 */
export interface ListBudget {
  items: number;
  chars: number;
}
export const LIST_BUDGET: ListBudget = { items: 40, chars: 4_000 };

/**
 * Page `page` (from 1) of a list: whole items, as many as the budget holds, pages packed from the
 * first item on (so page 2 starts where page 1 ended). `left`: the items after this page.
 */
export function pageOf<T>(
  items: readonly T[],
  page: number,
  budget: ListBudget = LIST_BUDGET,
  size: (item: T) => number = (i) => String(i).length,
): { shown: T[]; left: number; pages: number } {
  const starts = [0];
  let count = 0;
  let chars = 0;
  items.forEach((item, i) => {
    const n = size(item);
    if (count && (count + 1 > budget.items || chars + n > budget.chars)) {
      starts.push(i);
      count = 0;
      chars = 0;
    }
    count++;
    chars += n;
  });
  const pages = items.length ? starts.length : 1;
  const from = starts[page - 1] ?? items.length;
  const to = starts[page] ?? items.length;
  return { shown: items.slice(from, to), left: items.length - to, pages };
}

/**
 * A renderer's last line of defence: whole items dropped from the end of the last lists until `fits`
 * holds, each dropped item counted in its list's "N more" line (`+N` where the list had none). Never
 * cuts an item; returns the reply unchanged when it fits.
 */
export function shrinkToFit(r: Reply, fits: (r: Reply) => boolean): Reply {
  if (fits(r)) return r;
  let current = r;
  for (let i = r.blocks.length - 1; i >= 0; i--) {
    const b = current.blocks[i]!;
    if (b.type !== 'list' || !b.items.length) continue;
    let lo = 0;
    let hi = b.items.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (fits(keepItems(current, i, mid))) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    current = keepItems(current, i, Math.max(best, 0));
    if (best >= 0) return current;
  }
  return current;
}

function keepItems(r: Reply, index: number, keep: number): Reply {
  const b = r.blocks[index] as Extract<Block, { type: 'list' }>;
  const dropped = b.items.length - keep;
  const more = { count: (b.more?.count ?? 0) + dropped, hint: b.more?.hint ?? '+{count} …' };
  return { ...r, blocks: r.blocks.map((x, i) => (i === index ? { type: 'list', items: b.items.slice(0, keep), more } : x)) };
}

/** `--page N` as a number from 1 (1 when not given); undefined when it is not a page number. */
export const pageNumber = (value: unknown): number | undefined =>
  value === undefined ? 1 : typeof value === 'string' && /^[1-9]\d{0,5}$/.test(value) ? Number(value) : undefined;
