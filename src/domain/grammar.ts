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

/** A SHA-256 as this service writes it: 64 lowercase hex digits (hashes, digests, commitments, secrets, seeds). */
export const HEX64 = /^[0-9a-f]{64}$/;
/** The key fingerprint as this service prints it (notice, projector, record): lowercase only, unlike what is typed. */
export const PRINTED_FINGERPRINT = /^SHA256:[0-9a-f]{64}$/;
/** Strict standard base64 (RFC 4648 §4): the alphabet and at most two `=`; the length is checked apart. */
export const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** The room's entropy under lottery-draw/v2 (protocol.md §4.1): 10 to 64 ASCII digits, nothing else. */
export const ENTROPY_DIGITS = /^[0-9]{10,64}$/;
/** A stage's rate as typed and journalled: up to three whole digits and four decimals ("10", "12.5"). */
export const PERCENT_PATTERN = /^\d{1,3}(\.\d{1,4})?$/;
/**
 * `meeting.date`: YYYY-MM-DD, optionally with a time (T or space, HH:MM). The groups are year, month, day, hour,
 * minute; whether the day and time are real is checked apart (no 2025-02-30, no 25:00).
 */
export const MEETING_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?$/;
/** The meeting's day as the ceremony reads it: a `meeting.date` that begins YYYY-MM-DD. */
export const MEETING_DAY_PREFIX = /^\d{4}-\d{2}-\d{2}/;
