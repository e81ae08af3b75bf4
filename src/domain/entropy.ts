// Re-export for importers not yet moved (issue 10); the lead removes this.
export { ENTROPY_DIGITS } from './grammar';
export * from './input/entropy';
