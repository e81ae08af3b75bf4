/**
 * Terminal output of hostile text (a bundle's details): ANSI escapes or bidi controls could repaint a
 * failed check as passed, so every control, format and bidi character is shown as \u{…}.
 */
export function safeText(s: string): string {
  return s.replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`);
}
