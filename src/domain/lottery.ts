// Re-export for importers not yet moved (issue 10); the lead removes this.
export { ENTRY_ID, LOTTERY_ID } from './grammar';
export { MEETING_FIELDS, type Meeting } from './model';
export { clean, hasControl, looksLikeNationalId, reasonText } from './input/text';
export {
  DEFAULT_STAGES,
  defaultTitle,
  meetingJson,
  parseCreate,
  parseMeeting,
  parsePatch,
  parseStages,
  type LotteryDef,
  type LotteryPatch,
} from './input/definition';
export { MAX_ROSTER, parseRoster, type RosterInputRow, type RosterParse } from './input/roster';
export { parseEntropy } from './input/entropy';
