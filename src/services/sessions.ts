import type { WriteTx } from '../store/store';
import { userOf, type Context } from './context';

/**
 * Who pressed the button (issue 13): the session a ceremony opening, a draw or a recorded stage came from.
 * `session` is the SHA-256 hex of the web session's id (its id_hash), whose `session.started` was journalled at
 * sign-in; or, for an API token, SHA-256 hex of ("token:" + the token's stored hash), `lazy`: its
 * `session.started` is written here, in the entry's own transaction, the first time that token acts. A web
 * session is never started here: a session row that did not come from a sign-in must stay without its entry,
 * which is what `verify --db` (journal.sessions) finds.
 */
export interface Via {
  session: string;
  lazy: boolean;
}

/** The `session` field for an entry by `actor` coming through `via`, or none (the CLI, older callers). */
export function sessionField(c: Context, tx: WriteTx, actor: string, via?: Via): { session?: string } {
  if (!via) return {};
  const user = userOf(actor, '');
  if (via.lazy && user !== '' && !c.store.hasSessionStarted(user, via.session))
    c.journal(tx, { type: 'session.started', data: { user, session: via.session } }, actor);
  return { session: via.session };
}
