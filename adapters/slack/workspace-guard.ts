import type { App } from '@slack/bolt';
import { escapeMrkdwn } from './mrkdwn.ts';
import { plain } from './modals.ts';
import type { Home, Membership } from './workspace.ts';

/** Where an interaction says it comes from: the workspace it was made in, its Grid org, who did it, and their own team. */
interface Origin {
  kind: 'command' | 'action' | 'view' | 'other';
  teams: string[];
  enterprise?: string;
  user: string;
  userTeam?: string;
}

type Body = Record<string, unknown> & {
  type?: string;
  command?: string;
  team_id?: string;
  enterprise_id?: string;
  user_id?: string;
  team?: { id?: string; enterprise_id?: string } | null;
  enterprise?: { id?: string } | null;
  user?: { id?: string; team_id?: string };
};

const present = (...ids: (string | null | undefined)[]) => ids.filter((id): id is string => !!id);

export function originOf(body: Body): Origin | undefined {
  if (typeof body.command === 'string' && body.user_id)
    return {
      kind: 'command',
      teams: present(body.team_id),
      ...(body.enterprise_id ? { enterprise: body.enterprise_id } : {}),
      user: body.user_id,
    };
  if (!body.user?.id) return undefined; // an Events API callback: we listen to none
  const enterprise = body.enterprise?.id ?? body.team?.enterprise_id;
  const kind = body.type === 'block_actions' ? 'action' : body.type === 'view_submission' ? 'view' : 'other';
  return {
    kind,
    teams: present(body.team?.id),
    ...(enterprise ? { enterprise } : {}),
    user: body.user.id,
    ...(body.user.team_id ? { userTeam: body.user.team_id } : {}),
  };
}

/**
 * Made in our workspace, and on Grid in our org (off Grid, in no org); and by someone of our team —
 * on Grid, of our org: a colleague homed in a sister workspace names that one, and users.info then
 * checks their org.
 */
export function isFromHome(origin: Origin, home: Home): boolean {
  // An org-wide install's payloads carry no workspace: the manifest has none (org_deploy_enabled: false).
  if (!origin.teams.length || !origin.teams.every((t) => t === home.team) || origin.enterprise !== home.enterprise) return false;
  return !!home.enterprise || !origin.userTeam || origin.userTeam === home.team;
}

export type Refusal = 'other-workspace' | 'not-ours' | 'try-again';

type Ack = (response?: Record<string, unknown>) => Promise<void>;
type Respond = (message: Record<string, unknown>) => Promise<unknown>;

/**
 * Bolt global middleware, so every command, click and form passes one gate: it comes from the home
 * workspace, and from one of the organisation's people (not a Slack Connect member of another
 * organisation, a bot, or a deactivated account). Anyone else is answered privately and no listener
 * runs, so nothing is recorded. `arrivedAt` (performance.now()) goes into the context: the gate's
 * lookup comes out of Slack's 3 s for the ack.
 */
export function guardWorkspace(
  app: App,
  home: Home,
  membership: Membership,
  words: (refusal: Refusal, user: string) => { text: string; close: string },
  log: (line: string) => void,
): void {
  app.use(async (args) => {
    args.context.arrivedAt = performance.now();
    const origin = originOf(args.body as Body);
    if (!origin) return args.next();
    const refusal: Refusal | undefined = !isFromHome(origin, home)
      ? 'other-workspace'
      : await membership.standing(origin.user).then((s) => (s === 'ours' ? undefined : s === 'foreign' ? 'not-ours' : 'try-again'));
    if (!refusal) return args.next();
    if (refusal !== 'try-again')
      log(
        `slack: refused ${origin.kind} from ${origin.user} (team ${[...origin.teams, origin.userTeam].filter(Boolean).join('/') || '?'}${origin.enterprise ? `, org ${origin.enterprise}` : ''}): ${refusal}`,
      );
    const { ack, respond } = args as Partial<{ ack: Ack; respond: Respond }>;
    const { text, close } = words(refusal, origin.user);
    switch (origin.kind) {
      case 'command':
        return ack?.({ response_type: 'ephemeral', text: escapeMrkdwn(text) });
      case 'view':
        // Errors on a form are 150 characters on one field: the form becomes the answer instead.
        return ack?.({
          response_action: 'update',
          view: {
            type: 'modal',
            title: plain('AppWarden', 24),
            close: plain(close, 24),
            blocks: [{ type: 'section', text: plain(text, 3000) }],
          },
        });
      case 'action':
        await ack?.();
        await respond?.({ response_type: 'ephemeral', replace_original: false, text: escapeMrkdwn(text) });
        return;
      default:
        return ack?.();
    }
  });
}
