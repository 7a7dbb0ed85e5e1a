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

export type Block =
  | { type: 'heading'; text: string }
  | { type: 'text'; text: string }
  | { type: 'list'; items: string[] }
  | { type: 'fields'; fields: { label: string; value: string }[] }
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
          return b.items.map((i) => `• ${i}`);
        case 'fields':
          return b.fields.map((f) => `${f.label}: ${f.value}`);
        case 'actions':
          return [];
        case 'file':
          return [b.content];
      }
    })
    .join('\n');
}
