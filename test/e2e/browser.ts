/**
 * Is there a Chromium to drive? The end-to-end tests need a real browser, which playwright-core cannot download
 * here; without one, `npm test` runs everything else and skips the e2e suite with one message saying how to
 * install it. CI sets LOTTERY_REQUIRE_BROWSER=1 (`.ci/run`), under which a missing browser is a failing test, so
 * the suite can never be skipped there without anyone noticing.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Where a browser is looked for when LOTTERY_CHROMIUM is not set: Debian's first, then the usual names on PATH. */
export const WELL_KNOWN = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium'];
const ON_PATH = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

export type Gate =
  | { state: 'present'; path: string }
  | { state: 'skip'; message: string }
  | { state: 'fail'; message: string };

export type Env = Readonly<Record<string, string | undefined>>;

const HOW =
  'Install it with `sudo apt-get install chromium` (Debian/Ubuntu: /usr/bin/chromium), or set ' +
  'LOTTERY_CHROMIUM=/path/to/chromium.';

/**
 * The gate, from the environment and a file-exists test (passed in, so that it is tested without a browser).
 * LOTTERY_CHROMIUM, when set, is the only place looked at: a wrong path is reported, not papered over by
 * another browser found elsewhere.
 */
export function browserGate(env: Env, exists: (file: string) => boolean): Gate {
  const required = env.LOTTERY_REQUIRE_BROWSER === '1' || env.LOTTERY_REQUIRE_BROWSER === 'true';
  const chosen = env.LOTTERY_CHROMIUM;
  let found: string | undefined;
  let looked: string;
  if (chosen !== undefined && chosen !== '') {
    found = exists(chosen) ? chosen : undefined;
    looked = `LOTTERY_CHROMIUM=${chosen} does not exist`;
  } else {
    const dirs = (env.PATH ?? '').split(path.delimiter).filter((d) => d !== '');
    const candidates = [...WELL_KNOWN, ...dirs.flatMap((d) => ON_PATH.map((n) => path.join(d, n)))];
    found = candidates.find((f) => exists(f));
    looked = `no Chromium in ${WELL_KNOWN.join(', ')} or on PATH (${ON_PATH.join(', ')})`;
  }
  if (found !== undefined) return { state: 'present', path: found };
  if (required)
    return {
      state: 'fail',
      message: `The end-to-end tests need Chromium and LOTTERY_REQUIRE_BROWSER is set: ${looked}. ${HOW}`,
    };
  return {
    state: 'skip',
    message: `Skipping the end-to-end browser tests (test/e2e): ${looked}. ${HOW}`,
  };
}

/** The gate for this process. */
export const gate: Gate = browserGate(process.env, (f) => {
  try {
    return fs.statSync(f).isFile();
  } catch {
    return false;
  }
});

/** The browser's path, or the reason there is none (thrown by startHarness: a failure under CI). */
export function browserPath(): string {
  if (gate.state === 'present') return gate.path;
  throw new Error(gate.message);
}

/**
 * `describe` for a suite that needs the browser: the suite itself when there is one; skipped when there is none
 * (the message is printed once for the whole run, by test/e2e/global-setup.ts); and when a browser is required,
 * one failing test that says why.
 */
export function describeBrowser(name: string, fn: () => void): void {
  if (gate.state === 'present') describe(name, fn);
  else if (gate.state === 'skip') describe.skip(name, fn);
  else {
    const message = gate.message;
    describe(name, () => {
      it('needs Chromium (LOTTERY_REQUIRE_BROWSER is set)', () => {
        throw new Error(message);
      });
    });
  }
}
