import type { JournalEntry } from '../journal';
import type { Check } from './report';

/**
 * `journal.sessions` (verify --db, issue 13): every entry that names a `session` (ceremony.opened, stage.drawn,
 * stage.recorded) has an earlier `session.started` with that session, by the same user: the entry's actor is
 * `user:U` and the session.started's `data.user` is U. A session row written straight into the database was
 * never signed in, so the draw it made names a session the journal never saw start.
 */
export function sessionsCheck(entries: readonly JournalEntry[]): Check {
  const started = new Set<string>();
  const problems: string[] = [];
  let named = 0;
  for (const e of entries) {
    const d = e.data;
    if (e.type === 'session.started' && typeof d.user === 'string' && typeof d.session === 'string')
      started.add(`${d.user} ${d.session}`);
    else if (d.session !== undefined) {
      named++;
      const user = e.actor.startsWith('user:') ? e.actor.slice(5) : undefined;
      if (typeof d.session !== 'string' || user === undefined || !started.has(`${user} ${d.session}`))
        problems.push(
          `seq ${e.seq} (${e.type}) names a session ${JSON.stringify(d.session)} with no earlier session.started by ${e.actor}`,
        );
    }
  }
  return {
    name: 'journal.sessions',
    ok: problems.length === 0,
    detail:
      problems.length > 0
        ? problems.slice(0, 5).join('; ') + (problems.length > 5 ? `; and ${problems.length - 5} more` : '')
        : `${named} entries name a session, each started earlier by its actor (${started.size} sessions started)`,
  };
}
