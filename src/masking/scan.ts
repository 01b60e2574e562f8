// Finding personal data nobody declared: `lifeboat masking scan` looks at column names and at a
// sample of values and reports columns that probably hold emails, phone numbers, names,
// addresses, IBANs, card numbers, national ids, dates of birth, or free text with personal data
// in it. Pure functions; the command samples the data.
//
// Value detectors prefer checksums over shapes where one exists (IBAN mod-97, card Luhn), and a
// column is classified as one kind only when most of its sampled values agree, so that one stray
// email in a comments column does not make it an email column, while a column of emails with a
// few blanks does. Free text is judged differently: notes mention a person now and then, so a
// column is `free_text` when a fair share of its values (not most) carry an email, a phone number
// or a name somewhere inside.
import { FIRST_NAMES, LAST_NAMES } from './transformers/words.js';

export type PiiKind =
  'email' | 'phone' | 'person_name' | 'address' | 'iban' | 'card_number' | 'national_id' | 'birth_date' | 'free_text';

export interface PiiMatch {
  readonly kind: PiiKind;
  /** 0…1: how sure the classifier is (for a name, fixed per pattern; for values, the share that matched). */
  readonly confidence: number;
}

// ----- by column name -----

/** Splits `customerEmail`, `customer_email`, `Customer Email` into lower-case words. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

const PERSON_QUALIFIERS = new Set([
  'first',
  'last',
  'full',
  'given',
  'family',
  'middle',
  'maiden',
  'sur',
  'nick',
  'legal',
  'display',
  'contact',
  'customer',
  'person',
  'patient',
  'employee',
  'holder',
  'cardholder',
  'account',
  'owner',
]);
const PERSON_WORDS = new Set([
  'firstname',
  'lastname',
  'surname',
  'fullname',
  'givenname',
  'familyname',
  'forename',
  'fname',
  'lname',
  'middlename',
  'maidenname',
]);
const PHONE_WORDS = new Set([
  'phone',
  'telephone',
  'tel',
  'mobile',
  'cell',
  'cellphone',
  'fax',
  'msisdn',
  'phonenumber',
]);
const NATIONAL_ID_WORDS = new Set([
  'ssn',
  'nino',
  'sin',
  'bsn',
  'nin',
  'passport',
  'personnummer',
  'nric',
  'aadhaar',
  'cpf',
  'dni',
  'nif',
]);
const ADDRESS_WORDS = new Set([
  'address',
  'addr',
  'street',
  'streetaddress',
  'address1',
  'address2',
  'line1',
  'line2',
  'postcode',
  'zipcode',
  'zip',
  'postal',
]);
const NOT_POSTAL_ADDRESS = new Set([
  'email',
  'mail',
  'ip',
  'mac',
  'inet',
  'url',
  'web',
  'wallet',
  'btc',
  'eth',
  'memory',
  'hex',
]);

export function classifyColumnName(name: string): PiiMatch | undefined {
  const words = nameWords(name);
  const has = (w: string) => words.includes(w);
  const joined = words.join('');
  if (has('email') || has('mail') || joined.includes('email')) return { kind: 'email', confidence: 0.95 };
  if (has('iban')) return { kind: 'iban', confidence: 0.95 };
  if (
    joined.includes('creditcard') ||
    joined.includes('cardnumber') ||
    has('pan') ||
    has('ccnum') ||
    (has('card') && (has('number') || has('no') || has('num')))
  ) {
    return { kind: 'card_number', confidence: 0.9 };
  }
  if (
    words.some((w) => NATIONAL_ID_WORDS.has(w)) ||
    (has('national') && (has('id') || has('insurance'))) ||
    (has('social') && has('security')) ||
    (has('tax') && has('id'))
  ) {
    return { kind: 'national_id', confidence: 0.9 };
  }
  if (words.some((w) => PHONE_WORDS.has(w))) return { kind: 'phone', confidence: 0.9 };
  if (isBirthDateName(words)) return { kind: 'birth_date', confidence: 0.9 };
  if (words.some((w) => PERSON_WORDS.has(w)) || (has('name') && words.some((w) => PERSON_QUALIFIERS.has(w)))) {
    return { kind: 'person_name', confidence: 0.9 };
  }
  // `name` alone is as often a product's or a file's name as a person's
  if (words.length === 1 && has('name')) return { kind: 'person_name', confidence: 0.4 };
  if (words.some((w) => ADDRESS_WORDS.has(w)) && !words.some((w) => NOT_POSTAL_ADDRESS.has(w))) {
    return { kind: 'address', confidence: has('address') || has('street') ? 0.85 : 0.6 };
  }
  if (has('city') || has('town')) return { kind: 'address', confidence: 0.5 };
  return undefined;
}

/**
 * birth_date, dob, date_of_birth, DateOfBirth, birthday, birthdate, born_on, born: a date of birth.
 * `birth` with another noun (birth_place, birth_country, birth_name) is not a date.
 */
function isBirthDateName(words: readonly string[]): boolean {
  const joined = words.join('');
  if (['dob', 'birthday', 'birthdate', 'born'].some((w) => words.includes(w))) return true;
  if (joined.includes('dateofbirth') || joined.includes('birthdate') || joined.includes('birthday')) return true;
  return words.includes('birth') && (words.length === 1 || words.some((w) => ['date', 'day', 'dt', 'on'].includes(w)));
}

// ----- by values -----

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]{2,}$/;
const SSN = /^(\d{3})-(\d{2})-(\d{4})$/;
// UK National Insurance number: two letters (neither D, F, I, Q, U, V; the second not O), six digits, A–D
const NINO = /^([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?\d{2} ?\d{2} ?\d{2} ?[A-D]$/;
const NINO_NEVER = new Set(['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ']);
const PHONE = /^\+?[\d\s().-]+$/;
const STARTS_LIKE_A_DATE = /^\d{4}-\d{2}-\d{2}|^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/;
const STREET_WORD =
  /\b(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|way|court|ct|place|pl|terrace|close|square|sq|highway|hwy|parkway|pkwy|crescent|rue|avenida|calle|via)\b/i;
// Germanic street names are compounds (Hauptstraße, Kerkstraat): the street word ends a word
const STREET_COMPOUND = /(?:strasse|straße|str\.|weg|gasse|platz|straat|laan|gatan|vej)(?=[\s,]|$)/iu;
const PERSON = /^\p{Lu}[\p{L}'’-]*\.?(?:\s+\p{Lu}[\p{L}'’.-]*){1,3}$/u;

const FIRST = new Set(FIRST_NAMES.map((n) => n.toLowerCase()));
const LAST = new Set(LAST_NAMES.map((n) => n.toLowerCase()));

/** Which kind one value looks like; the checks run from the most specific to the least. */
export function classifyValue(raw: string): PiiKind | undefined {
  const v = raw.trim();
  if (v.length === 0) return undefined;
  if (EMAIL.test(v)) return 'email';
  if (isIban(v)) return 'iban';
  if (isCardNumber(v)) return 'card_number';
  // an SSN-shaped value that fails the SSN rules is not a phone number either
  if (SSN.test(v)) return isNationalId(v) ? 'national_id' : undefined;
  if (isNationalId(v)) return 'national_id';
  if (isPhone(v)) return 'phone';
  if (isPersonName(v)) return 'person_name';
  if (isAddress(v)) return 'address';
  return undefined;
}

export interface ClassifyOptions {
  /** The share of non-empty samples that must agree (default 0.6). */
  readonly threshold?: number;
  /** Fewer non-empty samples than this say nothing (default 5). */
  readonly minSamples?: number;
}

/** Majority vote over a column's sampled values; confidence is the winning share. */
export function classifyValues(samples: readonly string[], opts: ClassifyOptions = {}): PiiMatch | undefined {
  const threshold = opts.threshold ?? 0.6;
  const minSamples = opts.minSamples ?? 5;
  const votes = new Map<PiiKind, number>();
  let considered = 0;
  for (const s of samples) {
    if (s.trim().length === 0) continue;
    considered++;
    const kind = classifyValue(s);
    if (kind !== undefined) votes.set(kind, (votes.get(kind) ?? 0) + 1);
  }
  if (considered < minSamples) return undefined;
  let best: PiiMatch | undefined;
  for (const [kind, n] of votes) {
    const share = n / considered;
    if (share >= threshold && (best === undefined || share > best.confidence)) best = { kind, confidence: share };
  }
  return best;
}

/** IBAN: country, check digits, 11–30 alphanumerics, and the ISO 13616 mod-97 check equal to 1. */
export function isIban(value: string): boolean {
  const v = value.replace(/[\s-]/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(v)) return false;
  const rearranged = v.slice(4) + v.slice(0, 4);
  let rem = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const digits = code >= 65 ? String(code - 55) : ch;
    for (const d of digits) rem = (rem * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return rem === 1;
}

/** Card numbers: 13–19 digits (spaces or dashes allowed), a Luhn checksum, not one repeated digit. */
export function isCardNumber(value: string): boolean {
  if (!/^\d[\d -]*\d$/.test(value)) return false;
  const digits = value.replace(/[ -]/g, '');
  if (digits.length < 13 || digits.length > 19 || /^(\d)\1+$/.test(digits)) return false;
  return luhn(digits);
}

export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** US SSN (ddd-dd-dddd, without the never-issued 000, 666, 9xx areas, 00 groups and 0000 serials) or UK NINO. */
export function isNationalId(value: string): boolean {
  const ssn = SSN.exec(value);
  if (ssn) {
    const [, area, group, serial] = ssn;
    return area !== '000' && area !== '666' && !area!.startsWith('9') && group !== '00' && serial !== '0000';
  }
  const nino = NINO.exec(value.toUpperCase());
  return nino !== null && !NINO_NEVER.has(nino[1]!);
}

/**
 * Phone numbers: 7–15 digits (E.164 allows 15) written like a phone number — with a leading +,
 * or with separators. A bare run of digits is more often an id or an amount than a phone, and
 * 1980-05-02 or 02.05.1980 is a date.
 */
export function isPhone(value: string): boolean {
  if (!PHONE.test(value) || STARTS_LIKE_A_DATE.test(value)) return false;
  const digits = value.replace(/\D/g, '').length;
  if (digits < 7 || digits > 15) return false;
  return value.startsWith('+') || /[\s().-]/.test(value);
}

/** Two to four capitalised words, at least one of them a known first or last name. */
export function isPersonName(value: string): boolean {
  if (!PERSON.test(value)) return false;
  const words = value.split(/\s+/).map((w) => w.toLowerCase().replace(/[.,]$/, ''));
  return FIRST.has(words[0]!) || LAST.has(words[words.length - 1]!);
}

/** A house number next to a street word: "221B Baker Street", "Hauptstraße 5", "12 rue de la Paix". */
export function isAddress(value: string): boolean {
  if (!/\d/.test(value) || !/\p{L}{2,}/u.test(value)) return false;
  return (
    (STREET_WORD.test(value) || STREET_COMPOUND.test(value)) &&
    (/^\d+\p{L}?\s/u.test(value) || /\s\d+\p{L}?(?:[,\s]|$)/u.test(value))
  );
}

// ----- dates of birth, by value -----

/** An ISO date, or a timestamp as PostgreSQL prints it with DateStyle ISO (and TimeZone UTC for timestamptz). */
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[+-]\d{2}(?::?\d{2}){0,2})?)?$/;

/** People whose birth dates a database keeps are at least this old… */
export const BIRTH_MIN_AGE = 16;
/** …and at most this old. */
export const BIRTH_MAX_AGE = 110;
/**
 * Birth dates of a set of people spread over many years; the dates of one batch (an import
 * stamp, a legacy system's last year of orders) that happen to lie 16–110 years back do not.
 */
export const BIRTH_MIN_YEARS = 5;

/** Whole years from `date` to `today` (both UTC calendar dates), as an age is counted. */
export function ageInYears(date: { y: number; m: number; d: number }, today: Date): number {
  const ty = today.getUTCFullYear();
  const tm = today.getUTCMonth() + 1;
  const td = today.getUTCDate();
  return ty - date.y - (tm < date.m || (tm === date.m && td < date.d) ? 1 : 0);
}

/**
 * A date or timestamp column holds dates of birth when most of its sampled values (the share
 * `threshold`, default 0.6) are 16–110 years before `today`, carry no time of day (a timestamp
 * at midnight, as a birth date stored in a timestamp column is), and spread over at least five
 * different years. Recent dates (created_at, placed_at) fail the first test, an event log's
 * timestamps the second, a batch of one era's dates the third. Values that are not ISO dates
 * (infinity, BC dates) count as non-matching. Confidence is the matching share.
 */
export function classifyBirthDates(
  samples: readonly string[],
  today: Date,
  opts: ClassifyOptions = {},
): PiiMatch | undefined {
  const threshold = opts.threshold ?? 0.6;
  const minSamples = opts.minSamples ?? 5;
  let considered = 0;
  let matched = 0;
  const years = new Set<number>();
  for (const s of samples) {
    const v = s.trim();
    if (v.length === 0) continue;
    considered++;
    const m = ISO_DATE_TIME.exec(v);
    if (!m) continue;
    if (m[4] !== undefined && (m[4] !== '00' || m[5] !== '00' || m[6] !== '00')) continue;
    const date = { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) };
    const age = ageInYears(date, today);
    if (age < BIRTH_MIN_AGE || age > BIRTH_MAX_AGE) continue;
    matched++;
    years.add(date.y);
  }
  if (considered < minSamples || years.size < BIRTH_MIN_YEARS) return undefined;
  const share = matched / considered;
  return share >= threshold ? { kind: 'birth_date', confidence: share } : undefined;
}

// ----- personal data inside free text -----

const EMAIL_IN_TEXT = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/u;
// a run of digits and phone separators, starting and ending with a digit (or a leading + or "(")
const PHONE_IN_TEXT = /(?<![\p{L}\p{N}])(?:\+|\()?\d[\d ().-]{5,}\d(?![\p{L}\p{N}])/gu;
// two words that each start with a capital, the second right after the first (lookahead, so
// that "Ava Jane Smith" yields both pairs)
const CAPITALISED_PAIR = /(?<![\p{L}'’-])(\p{Lu}[\p{L}'’-]+)(?=\s(\p{Lu}[\p{L}'’-]+)(?![\p{L}'’-]))/gu;
const HONORIFIC_NAME = /(?<!\p{L})(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s\p{Lu}\p{Ll}/u;
// "James Street", "Grace Avenue": a first name that starts a street or a place is not a person
const PLACE_WORDS = new Set([
  'street',
  'road',
  'avenue',
  'lane',
  'drive',
  'way',
  'court',
  'place',
  'terrace',
  'close',
  'square',
  'park',
  'hall',
  'house',
  'bridge',
  'station',
  'hospital',
  'school',
  'college',
  'university',
  'church',
  'city',
  'county',
]);

/**
 * A phone number inside text: 7–15 digits after a +, or 9–15 digits with separators ("555-123-4567",
 * "020 7946 0958"). Fewer digits without a + are as often a reference, an amount or a time.
 * Dates ("2024-01-15 10") are not phone numbers.
 */
function hasPhone(text: string): boolean {
  for (const m of text.matchAll(PHONE_IN_TEXT)) {
    const candidate = m[0];
    if (STARTS_LIKE_A_DATE.test(candidate)) continue;
    const digits = candidate.replace(/\D/g, '').length;
    if (digits > 15) continue;
    if (candidate.startsWith('+') ? digits >= 7 : digits >= 9 && /[ ().-]/.test(candidate)) return true;
  }
  return false;
}

/**
 * A person's name inside text, by a deliberately narrow heuristic: a first name the masking word
 * lists know (words.ts: Olivia, James, Priya…) followed by another capitalised word ("Olivia
 * Brown", "Priya Okafor"), or an honorific before a capitalised word ("Mrs Dubois", "Dr. Kim").
 * Any two capitalised words would flag every product name and heading ("Blue Widget", "Terms
 * Apply"), and a known last name after any capitalised word flags places ("Central Park", "Burger
 * King"); a name the lists do not know is missed, which the column-level share absorbs: notes
 * that mention people mention many, and one recognised in a fair share of rows is enough.
 */
function hasPersonName(text: string): boolean {
  if (HONORIFIC_NAME.test(text)) return true;
  for (const m of text.matchAll(CAPITALISED_PAIR)) {
    const first = m[1]!;
    const second = m[2]!;
    if (first === first.toUpperCase() || second === second.toUpperCase()) continue; // acronyms: "NASA", "UK"
    if (FIRST.has(first.toLowerCase()) && !PLACE_WORDS.has(second.toLowerCase())) return true;
  }
  return false;
}

/** Which personal data one text carries somewhere inside it (the first found), if any. */
export function personalDataInText(text: string): 'email' | 'phone' | 'person_name' | undefined {
  if (EMAIL_IN_TEXT.test(text)) return 'email';
  if (hasPhone(text)) return 'phone';
  if (hasPersonName(text)) return 'person_name';
  return undefined;
}

/** Values with personal data inside that make a column free text to mask: this share of the non-empty samples… */
export const FREE_TEXT_SHARE = 0.1;
/** …and at least this many of them, so that one note in a small sample does not decide. */
export const FREE_TEXT_MIN_HITS = 2;

/**
 * A text column whose values carry personal data inside them (notes, comments, descriptions,
 * JSON documents): at least 10 % of the non-empty samples, and at least two, hold an email, a
 * phone number or a person's name somewhere in the text. Confidence is that share.
 */
export function classifyFreeText(samples: readonly string[], opts: ClassifyOptions = {}): PiiMatch | undefined {
  const minSamples = opts.minSamples ?? 5;
  let considered = 0;
  let hits = 0;
  for (const s of samples) {
    if (s.trim().length === 0) continue;
    considered++;
    if (personalDataInText(s) !== undefined) hits++;
  }
  if (considered < minSamples || hits < FREE_TEXT_MIN_HITS) return undefined;
  const share = hits / considered;
  return share >= FREE_TEXT_SHARE ? { kind: 'free_text', confidence: share } : undefined;
}
