import { meetingJson } from '../domain/input/definition';
import type { DatabaseSnapshot } from '../domain/verify';
import type { Store } from './store';

/**
 * What `lottery verify --db` checks, read in one transaction: every journal row as stored, and each lottery as
 * the tables hold it. The verifier compares the two and recomputes the draws; it never trusts either alone.
 */
export function databaseSnapshot(
  store: Pick<Store, 'read' | 'journalRows' | 'listLotteries' | 'roster' | 'results'>,
): DatabaseSnapshot {
  return store.read(() => ({
    journal: [...store.journalRows()],
    lotteries: store.listLotteries().map((l) => ({
      id: l.id,
      status: l.status,
      rosterDigest: l.rosterDigest,
      roster: store.roster(l.id),
      results: store.results(l.id).map((r) => ({
        stage: r.stage,
        winners: r.winners,
        poolSize: r.poolSize,
        quota: r.quota,
      })),
      // A database from before lottery-draw/v2 has no protocol column: the replay's lock decides alone.
      ...(l.protocol === undefined ? {} : { protocol: l.protocol }),
      year: l.year,
      agency: l.agency,
      title: l.title,
      stages: l.stages,
      meeting: meetingJson(l.meeting),
      commitment: l.commitment,
      secret: l.secret,
      entropy: l.entropy,
      seed: l.seed,
      // A database from before migration 006 has no physical lottery: random, as its journal says.
      method: l.method === 'physical' ? ('physical' as const) : ('random' as const),
      // issue 11: a database from before migration 005 has neither column: the replay decides alone.
      ...(l.cancelledAt === undefined
        ? {}
        : { rehearsal: l.rehearsal === true, cancelled: l.cancelledAt !== null }),
    })),
  }));
}
