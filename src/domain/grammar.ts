/**
 * Every grammar the protocol and the API share, defined once. An id that one
 * edge accepts and another refuses is a place for look-alike input to slip
 * between checks, so routes, the CLI, the store and the verifier all import
 * these rather than re-typing a regex literal.
 */

/** A lottery's id (protocol.md §3): what URLs, bundles and the journal carry. */
export const LOTTERY_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** A roster entry's id (申報人編號), as the office's export writes it. */
export const ENTRY_ID = /^[A-Za-z0-9_-]{1,32}$/;
/** ISO-8601 UTC with milliseconds, as Date.prototype.toISOString writes it. */
export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** Who wrote a journal entry: a named user, the command line, or the system. */
export const ACTOR = /^(user:[A-Za-z0-9_-]{1,64}|cli|system)$/;
/** A journal entry's type, `noun.verb` (protocol.md §6). */
export const ENTRY_TYPE = /^[a-z]+(\.[a-z]+)+$/;
/** The signing key's fingerprint as printed: SHA256: and 64 hex digits of the DER SPKI. */
export const KEY_FINGERPRINT = /^SHA256:[0-9a-fA-F]{64}$/;
/** A commitment as written down from the projector: at least its first 16 hex digits. */
export const OBSERVED_COMMITMENT = /^[0-9a-f]{16,64}$/i;
/** A stage number in a URL: 1 to 999, no leading zero. */
export const STAGE_NUMBER = /^[1-9]\d{0,2}$/;
