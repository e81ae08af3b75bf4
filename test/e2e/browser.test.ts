/**
 * The "is Chromium here" gate (test/e2e/browser.ts), run on made-up environments and file systems, so that the
 * three outcomes are tested on any machine: a browser found; none, so the e2e suite is skipped with how to
 * install one; none while LOTTERY_REQUIRE_BROWSER=1 (CI), so the suite fails instead of being skipped.
 */
import { browserGate } from './browser';

const only =
  (...files: string[]) =>
  (f: string): boolean =>
    files.includes(f);
const nothing = only();

describe('the browser gate', () => {
  it('when Debian’s chromium is installed › it is used', () => {
    expect(browserGate({ PATH: '/usr/bin:/bin' }, only('/usr/bin/chromium'))).toEqual({
      state: 'present',
      path: '/usr/bin/chromium',
    });
  });

  it('when a browser is only on PATH › it is found there', () => {
    expect(browserGate({ PATH: '/opt/bin:/bin' }, only('/opt/bin/google-chrome'))).toEqual({
      state: 'present',
      path: '/opt/bin/google-chrome',
    });
  });

  it('when LOTTERY_CHROMIUM names a browser › that one is used, before /usr/bin/chromium', () => {
    const exists = only('/usr/bin/chromium', '/opt/chrome/chrome');
    expect(browserGate({ LOTTERY_CHROMIUM: '/opt/chrome/chrome' }, exists)).toEqual({
      state: 'present',
      path: '/opt/chrome/chrome',
    });
  });

  it('when there is no browser › the suite is skipped, with how to install Chromium', () => {
    const g = browserGate({ PATH: '/usr/bin:/bin' }, nothing);
    expect(g.state).toBe('skip');
    const message = g.state === 'skip' ? g.message : '';
    expect(message).toContain('sudo apt-get install chromium');
    expect(message).toContain('/usr/bin/chromium');
    expect(message).toContain('LOTTERY_CHROMIUM=');
  });

  it('when LOTTERY_CHROMIUM names a missing file › it is not replaced by another browser, and says so', () => {
    const g = browserGate({ LOTTERY_CHROMIUM: '/nonexistent' }, only('/usr/bin/chromium'));
    expect(g).toEqual({ state: 'skip', message: expect.stringContaining('LOTTERY_CHROMIUM=/nonexistent') });
  });

  it('when there is no browser and LOTTERY_REQUIRE_BROWSER=1 › it is a failure, not a skip', () => {
    const g = browserGate({ LOTTERY_REQUIRE_BROWSER: '1', PATH: '/usr/bin' }, nothing);
    expect(g.state).toBe('fail');
    expect(g.state === 'fail' ? g.message : '').toContain('sudo apt-get install chromium');
  });

  it('when a browser is there and LOTTERY_REQUIRE_BROWSER=1 › it is used', () => {
    expect(browserGate({ LOTTERY_REQUIRE_BROWSER: '1' }, only('/usr/bin/chromium')).state).toBe('present');
  });
});
