/**
 * Jest's globalSetup: says once per run, before any test, why the end-to-end suite is skipped (or, under
 * LOTTERY_REQUIRE_BROWSER=1, why it will fail), rather than once per e2e file.
 */
import { gate } from './browser';

interface RunConfig {
  testPathPatterns?: { patterns?: readonly string[] };
}

/** Whether this run may include an e2e file: no path pattern (the whole suite), or one that names e2e. */
function mayRunE2e(config: RunConfig | undefined): boolean {
  const patterns = config?.testPathPatterns?.patterns ?? [];
  return patterns.length === 0 || patterns.some((p) => p.includes('e2e'));
}

export default function globalSetup(config?: RunConfig): void {
  if (gate.state !== 'present' && mayRunE2e(config)) console.warn(`\n${gate.message}\n`);
}
