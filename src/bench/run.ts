/**
 * `npm run bench`: figures, not assertions. Each figure is the median of several runs on this machine; the
 * last line is one JSON object with every figure, for docs/performance.md and for comparing runs.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { composeServices, openStore } from '../compose';
import { generatePrivatePem, signerFromPem } from '../keys/signer';
import { fontHasGlyph } from '../roster/font';
import { bundleVerify, GNU_TIME } from './bundle';
import { coldStart } from './cold-start';
import { journalVerify } from './journal';
import { consistencyProofFigure, TREE_SIZE, treeAppendFigure } from './log';
import { drawFigure, recordFigure } from './record';
import { ROSTER_ROWS, rosterLoad } from './roster';
import { publicThroughput } from './throughput';

export { bundleVerify };

/** The figures measured in this process: roster loads, the draw and the record. */
async function inProcessFigures(
  dir: string,
  signerPem: string,
): Promise<{ rosterLoadMs: { csv: number; xlsx: number }; drawMs: number; recordMs: number }> {
  const store = openStore(path.join(dir, 'bench.sqlite'));
  const services = composeServices({ store, signer: signerFromPem(signerPem) });
  const lottery = services.createLottery('cli', { year: 114, agency: '效能測試' });
  fontHasGlyph(0x4e00); // the font's character map loads once per process; measure loads after it

  const rosterLoadMs = await rosterLoad(services, lottery.id);
  console.log(
    `rosterLoadMs: ${ROSTER_ROWS} rows, CSV ${rosterLoadMs.csv} ms, xlsx ${rosterLoadMs.xlsx} ms (import, validate, digest, store, journal)`,
  );

  const seed = crypto.randomBytes(32).toString('hex');
  const drawMs = await drawFigure(seed);
  console.log(`drawMs: 1,180 → 118 → 3 in ${drawMs} ms`);

  const recordMs = await recordFigure(seed, signerPem);
  console.log(`recordMs: render + sign one record of a 1,180-person pool in ${recordMs} ms`);

  store.close();
  return { rosterLoadMs, drawMs, recordMs };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lottery-bench-'));
  const signerPem = generatePrivatePem();
  const { rosterLoadMs, drawMs, recordMs } = await inProcessFigures(dir, signerPem);

  const journal = await journalVerify(dir);
  console.log(
    `journalVerifyRatio: ${journal.ratio} (verify 100,000 entries from the file ${journal.verifyMs} ms; hashing the canonical bytes alone ${journal.hashMs} ms)`,
  );
  // issue 13: the witnessed log.
  const consistency = consistencyProofFigure(dir);
  console.log(
    `consistencyProofMs: ${consistency.ms} (median of 1,000 proofs on a ${TREE_SIZE.toLocaleString('en')}-leaf tree read from SQLite; longest ${consistency.proofLength} hashes)`,
  );
  const append = treeAppendFigure(dir);
  console.log(
    `treeAppendUs: ${append.us} (store.log.appendLeaf alone, per entry; a whole journal append with it ${append.journalAppendUs} µs)`,
  );
  const bv = await bundleVerify(dir, signerPem);
  const bundleVerifyMs = bv.ms;
  const bundleVerifyPeakMb = bv.peakMb;
  console.log(
    `bundleVerifyMs: the CLI verifies a bundle of a 20,000-entry roster and a 100,000-entry journal (${bv.bundleMb} MB${bv.maxBytesFlag ? ', with --max-bytes: over the 64 MiB default' : ''}) in ${bundleVerifyMs} ms`,
  );
  console.log(
    `bundleVerifyPeakMb: peak RSS of that lottery verify process ${bundleVerifyPeakMb === null ? `unknown (no ${GNU_TIME})` : `${bundleVerifyPeakMb} MB`}`,
  );
  const coldStartMs = await coldStart(dir);
  console.log(
    `coldStartMs: second start of node dist/cli/main.js serve until the first answer: ${coldStartMs} ms`,
  );
  const throughput = await publicThroughput(dir, signerPem);
  console.log(
    `publicThroughputRatio: ${throughput.ratio} (server CPU per request: bare ${throughput.bareUs} µs, public lottery ${throughput.realUs} µs; p99 ${throughput.p99} ms)`,
  );

  fs.rmSync(dir, { recursive: true, force: true });
  const figures = {
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
    rosterLoadMs,
    drawMs,
    recordMs,
    journalVerifyRatio: journal.ratio,
    consistencyProofMs: consistency.ms,
    treeAppendUs: append.us,
    bundleVerifyMs,
    bundleVerifyPeakMb,
    coldStartMs,
    publicThroughputRatio: throughput.ratio,
    publicP99Ms: throughput.p99,
  };
  console.log(JSON.stringify(figures));
}

// Imported (e.g. to run one figure alone), it runs nothing.
if (require.main === module)
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
