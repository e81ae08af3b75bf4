import type { Bundle } from '../bundle';
import type { LotteryReplay } from '../replay';
import type { Check } from './report';

/**
 * lottery.rehearsal (issue 11, protocol.md §8.2), reported right after `format`: the bundle marks a rehearsal
 * exactly when the journal created one. A rehearsal passes, and says so first: its result selects no one.
 */
export function rehearsalCheck(b: Bundle, l: LotteryReplay | undefined): Check {
  const inBundle = b.lottery.rehearsal === true;
  const inJournal = l?.rehearsal === true;
  if (inBundle !== inJournal)
    return {
      name: 'lottery.rehearsal',
      ok: false,
      detail: inBundle
        ? 'the bundle marks a rehearsal, the journal created a real lottery'
        : 'the journal created a rehearsal (演練), the bundle does not mark it',
    };
  return {
    name: 'lottery.rehearsal',
    ok: true,
    detail: inJournal
      ? '演練 REHEARSAL: this lottery is a rehearsal; its result selects no one'
      : 'a real lottery, not a rehearsal',
  };
}
