// What every free-text field a user sends must be before it is kept: readable (no control characters, no half of
// a surrogate pair: neither can be stored as UTF-8 or put in an email), in one Unicode form (NFC, so the same text
// typed on two machines compares equal), and not empty in disguise (only zero-width characters).

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is being rejected
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const INVISIBLE = /[\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff\u00ad\u180e]|\u034f/g;

/** False for text with control characters (tab, line feed and carriage return allowed) or lone surrogates. */
export function isReadable(value: string): boolean {
  return !CONTROL.test(value) && value.isWellFormed();
}

/** The text in NFC. */
export const normalized = (value: string): string => value.normalize('NFC');

/** True when nothing visible is left once white space and zero-width characters are taken away. */
export const isBlank = (value: string): boolean => value.replace(INVISIBLE, '').trim() === '';
