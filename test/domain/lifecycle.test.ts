import { LotteryError } from '../../src/domain/errors';
import {
  allows,
  LIFECYCLE,
  LOTTERY_STATUSES,
  requireProtocol,
  requireStatus,
  statusAfterDraw,
  type LotteryAction,
} from '../../src/domain/lifecycle';
import type { LotteryStatus } from '../../src/domain/model';
import { PROTOCOL_V1, PROTOCOL_V2 } from '../../src/domain/protocol';

// The service's answers, written out here by hand from what the API has always said: the lifecycle must give
// these byte for byte, or a client that matches on a message (or a person reading it) sees a different answer.
const NOT_DRAFT = {
  code: 'NOT_DRAFT',
  zh: '抽籤已鎖定，名冊與設定不能再變更',
  en: 'The lottery is no longer a draft: roster and settings are fixed',
};
const NOT_LOCKED = {
  code: 'NOT_LOCKED',
  zh: '名冊尚未鎖定，不能抽籤',
  en: 'The roster is not locked: nothing can be drawn yet',
};
const UNLOCK_NOT_LOCKED = {
  code: 'NOT_LOCKED',
  zh: '抽籤尚未鎖定，無須解除',
  en: 'The lottery is not locked, so there is nothing to unlock',
};
const UNLOCK_DRAWN = {
  code: 'ALREADY_DRAWN',
  zh: '已開始抽籤，不能解除鎖定',
  en: 'A stage has been drawn: the lottery cannot be unlocked',
};
const CEREMONY_OVER = {
  code: 'ALREADY_DRAWN',
  zh: '各階段皆已抽出，抽籤程序已結束',
  en: 'Every stage has been drawn: the ceremony is over',
};
const ADJOURN_DRAWN = {
  code: 'ALREADY_DRAWN',
  zh: '第 1 階段已抽出，不能休會',
  en: 'Stage 1 has been drawn: the ceremony cannot be adjourned',
};
const RECORD_NOT_DRAWN = {
  code: 'NOT_DRAWN',
  zh: '尚未抽完所有階段，不能產製紀錄',
  en: 'The record is issued once every stage is drawn',
};
const BUNDLE_NOT_DRAWN = {
  code: 'NOT_DRAWN',
  zh: '尚未抽完所有階段，無法匯出稽核包',
  en: 'The audit bundle exists once every stage is drawn',
};
const RELOCK = {
  code: 'RELOCK_REQUIRED',
  zh: '此抽籤以舊版協定（lottery-draw/v1）鎖定：請解除鎖定後重新鎖定，改用 lottery-draw/v2 再抽籤',
  en: 'This lottery was locked under lottery-draw/v1: unlock and lock it again (lottery-draw/v2) before drawing',
};

// issue 11: the meeting after the lock, cancelling, copying a rehearsal's roster.
const MEETING_IN_DRAFT = {
  code: 'NOT_LOCKED',
  zh: '抽籤尚未鎖定：會議資料請於抽籤設定中修改',
  en: 'The lottery is still a draft: change the meeting with the lottery itself (PATCH)',
};
const CANCEL_DRAWN = {
  code: 'ALREADY_DRAWN',
  zh: '已開始抽籤，不能作廢',
  en: 'A stage has been drawn: the lottery cannot be cancelled',
};

type Expected = { code: string; zh: string; en: string } | 'allowed';
const EXPECTED: Record<LotteryAction, Record<LotteryStatus, Expected>> = {
  patch: { draft: 'allowed', locked: NOT_DRAFT, drawing: NOT_DRAFT, drawn: NOT_DRAFT },
  roster: { draft: 'allowed', locked: NOT_DRAFT, drawing: NOT_DRAFT, drawn: NOT_DRAFT },
  lock: { draft: 'allowed', locked: NOT_DRAFT, drawing: NOT_DRAFT, drawn: NOT_DRAFT },
  unlock: { draft: UNLOCK_NOT_LOCKED, locked: 'allowed', drawing: UNLOCK_DRAWN, drawn: UNLOCK_DRAWN },
  openCeremony: { draft: NOT_LOCKED, locked: 'allowed', drawing: 'allowed', drawn: CEREMONY_OVER },
  adjourn: { draft: NOT_LOCKED, locked: 'allowed', drawing: ADJOURN_DRAWN, drawn: ADJOURN_DRAWN },
  draw: { draft: NOT_LOCKED, locked: 'allowed', drawing: 'allowed', drawn: CEREMONY_OVER },
  issueNotice: { draft: NOT_LOCKED, locked: 'allowed', drawing: 'allowed', drawn: 'allowed' },
  issueRecord: {
    draft: RECORD_NOT_DRAWN,
    locked: RECORD_NOT_DRAWN,
    drawing: RECORD_NOT_DRAWN,
    drawn: 'allowed',
  },
  exportBundle: {
    draft: BUNDLE_NOT_DRAWN,
    locked: BUNDLE_NOT_DRAWN,
    drawing: BUNDLE_NOT_DRAWN,
    drawn: 'allowed',
  },
  // Physical draws (protocol.md §6.1): balls and sheets follow the draw's rule.
  ball: { draft: NOT_LOCKED, locked: 'allowed', drawing: 'allowed', drawn: CEREMONY_OVER },
  poolSheet: { draft: NOT_LOCKED, locked: 'allowed', drawing: 'allowed', drawn: CEREMONY_OVER },
  updateMeeting: { draft: MEETING_IN_DRAFT, locked: 'allowed', drawing: 'allowed', drawn: 'allowed' },
  cancel: { draft: 'allowed', locked: 'allowed', drawing: CANCEL_DRAWN, drawn: CANCEL_DRAWN },
  copy: { draft: 'allowed', locked: 'allowed', drawing: 'allowed', drawn: 'allowed' },
};

function thrown(f: () => void): LotteryError | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof LotteryError) return e;
    throw e;
  }
  return undefined;
}

const cases = (Object.keys(EXPECTED) as LotteryAction[]).flatMap((action) =>
  LOTTERY_STATUSES.map((status) => [action, status, EXPECTED[action][status]] as const),
);

describe('the lifecycle: which status allows which action', () => {
  it('when the table is read › it names every action the test knows, and every status', () => {
    expect(Object.keys(LIFECYCLE).sort()).toEqual(Object.keys(EXPECTED).sort());
    expect([...LOTTERY_STATUSES].sort()).toEqual(['draft', 'drawing', 'drawn', 'locked']);
  });

  it('when a rule is read › no status is both allowed and refused, and every status is one or the other', () => {
    for (const [action, r] of Object.entries(LIFECYCLE)) {
      for (const status of LOTTERY_STATUSES) {
        const isAllowed = r.allowed.includes(status);
        const refusal = r.refused[status];
        expect([action, status, isAllowed !== (refusal !== undefined)]).toEqual([action, status, true]);
      }
    }
  });

  it.each(cases)('when %s is asked of a %s lottery › %j', (action, status, expected) => {
    expect(allows(status, action)).toBe(expected === 'allowed');
    const e = thrown(() => requireStatus(status, action));
    if (expected === 'allowed') expect(e).toBeUndefined();
    else {
      expect(e).toBeInstanceOf(LotteryError);
      expect({ code: e?.code, zh: e?.zh, en: e?.en }).toEqual(expected);
      // Refusals by status carry no problems list and no extra: the answer is the code and the message only.
      expect(e?.problems).toBeUndefined();
      expect(e?.extra).toBeUndefined();
    }
  });

  it.each(cases)(
    'when %s is asked of a cancelled %s lottery › it is refused as CANCELLED',
    (action, status) => {
      const e = thrown(() => requireStatus(status, action, true));
      expect({ code: e?.code, zh: e?.zh, en: e?.en }).toEqual({
        code: 'CANCELLED',
        zh: '此抽籤已作廢，不能再進行任何操作',
        en: 'This lottery was cancelled: nothing more can be done with it',
      });
    },
  );

  it('when a refusal is thrown twice › each is a fresh error (no shared, mutable instance)', () => {
    const a = thrown(() => requireStatus('locked', 'patch'));
    const b = thrown(() => requireStatus('locked', 'patch'));
    expect(a).toBeDefined();
    expect(a).not.toBe(b);
  });
});

describe('the protocol a lock must be under to go on', () => {
  it.each([
    ['openCeremony', 'locked', PROTOCOL_V1, RELOCK],
    ['openCeremony', 'drawing', PROTOCOL_V1, RELOCK],
    ['openCeremony', 'locked', null, RELOCK],
    ['openCeremony', 'locked', PROTOCOL_V2, 'allowed'],
    ['openCeremony', 'drawing', PROTOCOL_V2, 'allowed'],
    ['draw', 'locked', PROTOCOL_V1, RELOCK],
    ['draw', 'locked', undefined, RELOCK],
    // A v1 lottery already drawing has its outcome fixed by its seed: its later stages may finish under v1.
    ['draw', 'drawing', PROTOCOL_V1, 'allowed'],
    ['draw', 'locked', PROTOCOL_V2, 'allowed'],
    ['draw', 'drawing', PROTOCOL_V2, 'allowed'],
  ] as const)(
    'when %s is asked of a %s lottery locked under %s › %j',
    (action, status, protocol, expected) => {
      const e = thrown(() => requireProtocol(status, protocol, action));
      if (expected === 'allowed') expect(e).toBeUndefined();
      else expect({ code: e?.code, zh: e?.zh, en: e?.en }).toEqual(expected);
    },
  );
});

describe('where a draw leaves the lottery', () => {
  it.each([
    [1, 2, 'drawing'],
    [2, 2, 'drawn'],
    [1, 1, 'drawn'],
    [3, 5, 'drawing'],
    [5, 5, 'drawn'],
  ] as const)('when %i of %i stages are drawn › it is %s', (drawn, count, status) => {
    expect(statusAfterDraw(drawn, count)).toBe(status);
  });
});
