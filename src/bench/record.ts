/** drawMs and recordMs: the draw itself, and rendering and signing one record, for a 1,180-person pool. */
import { drawAll } from '../domain/protocol';
import { DEFAULT_PUBLIC_FIELDS } from '../domain/publish';
import { makeTestCertificates } from '../keys/certs';
import { loadRecordAssets, renderRecord } from '../record/render';
import { signPdf } from '../record/sign';
import { person } from './people';
import { time } from './stats';

const STAGES = [
  { stage: 1, percent: '10' },
  { stage: 2, percent: '2' },
];

export async function drawFigure(seed: string): Promise<number> {
  const pool = Array.from({ length: 1180 }, (_, i) => `P${String(i + 1).padStart(4, '0')}`);
  return time(21, () => {
    drawAll(seed, STAGES, pool);
  });
}

/** The record of a drawn 1,180-person pool (118 + 3 winners and the 1,180-row appendix): a data table. */
function benchRecordData(seed: string): Parameters<typeof renderRecord>[0] {
  const bigRoster = Array.from({ length: 1180 }, (_, i) => {
    const [id = '', name = '', unit = '', title = ''] = person(i + 1);
    return { id, name, unit, title };
  });
  const big = drawAll(
    seed,
    STAGES,
    bigRoster.map((e) => e.id),
  );
  const byId = new Map(bigRoster.map((e) => [e.id, e]));
  return {
    lotteryId: '114-bench',
    agency: '效能測試部',
    title: '114年度公職人員財產申報資料實質審查抽籤',
    year: 114,
    meeting: {
      name: '抽籤會議',
      date: '2026-01-22T10:00',
      chair: '部長',
      monitor: '政風處長',
      witnesses: ['甲', '乙'],
    },
    stages: big.map((s, i) => ({
      ...s,
      label: i === 0 ? '實質審查' : '前後年度申報財產比對',
      winners: s.winners.map((w) => byId.get(w) ?? { id: w, name: '' }),
    })),
    roster: bigRoster,
    rosterDigest: seed,
    commitment: seed,
    entropy: '6251341234',
    secret: seed,
    seed,
    protocol: 'lottery-draw/v2',
    checkpoint: {
      seq: 1,
      hash: seed,
      at: new Date().toISOString(),
      alg: 'RS256',
      signature: 'A'.repeat(512),
    },
    issuedAt: new Date(),
    verifyUrl: 'http://localhost:3000/verify/114-bench',
    publicCopy: false,
    publicFields: [...DEFAULT_PUBLIC_FIELDS],
  };
}

// recordMs: render and sign one copy of the record for a 1,180-person pool (118 + 3 winners and the
// 1,180-row appendix), after the font and template are loaded.
export async function recordFigure(seed: string, signerPem: string): Promise<number> {
  const recordData = benchRecordData(seed);
  const certified = makeTestCertificates(signerPem, new Date());
  loadRecordAssets();
  const cms = {
    privateKeyPem: signerPem,
    certificatePem: certified.certPem,
    chainPem: [certified.caCertPem],
  };
  await signPdf(await renderRecord(recordData), cms, new Date(), '114-bench'); // warm-up
  return time(7, async () => {
    await signPdf(await renderRecord(recordData), cms, new Date(), '114-bench');
  });
}
