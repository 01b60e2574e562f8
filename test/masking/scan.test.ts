// PII detection: by column name, by single value (checksums where they exist), by majority
// vote over a column's samples, dates of birth by their ages, and personal data inside free text.
import { describe, expect, it } from 'vitest';
import {
  ageInYears,
  classifyBirthDates,
  classifyColumnName,
  classifyFreeText,
  classifyValue,
  classifyValues,
  isCardNumber,
  isIban,
  personalDataInText,
  type PiiKind,
} from '../../src/masking/scan.js';

describe('classifyColumnName', () => {
  it.each<[string, PiiKind | undefined]>([
    ['email', 'email'],
    ['customer_email', 'email'],
    ['EmailAddress', 'email'],
    ['e_mail', 'email'],
    ['phone', 'phone'],
    ['mobileNumber', 'phone'],
    ['first_name', 'person_name'],
    ['LastName', 'person_name'],
    ['surname', 'person_name'],
    ['full_name', 'person_name'],
    ['customer_name', 'person_name'],
    ['product_name', undefined],
    ['file_name', undefined],
    ['street_address', 'address'],
    ['address_line1', 'address'],
    ['postcode', 'address'],
    ['ip_address', undefined],
    ['iban', 'iban'],
    ['card_number', 'card_number'],
    ['creditCardNo', 'card_number'],
    ['ssn', 'national_id'],
    ['national_insurance_number', 'national_id'],
    ['tax_id', 'national_id'],
    ['created_at', undefined],
    ['amount', undefined],
    ['birth_date', 'birth_date'],
    ['dob', 'birth_date'],
    ['DOB', 'birth_date'],
    ['date_of_birth', 'birth_date'],
    ['DateOfBirth', 'birth_date'],
    ['birthday', 'birth_date'],
    ['birthdate', 'birth_date'],
    ['birthDate', 'birth_date'],
    ['born_on', 'birth_date'],
    ['customer_dob', 'birth_date'],
    ['birth', 'birth_date'],
    ['birth_place', undefined],
    ['birth_country', undefined],
    ['updated_on', undefined],
    ['notes', undefined],
    ['description', undefined],
  ])('%s → %s', (name, kind) => {
    expect(classifyColumnName(name)?.kind).toBe(kind);
  });

  it('is less sure of a bare "name"', () => {
    expect(classifyColumnName('name')).toEqual({ kind: 'person_name', confidence: 0.4 });
    expect(classifyColumnName('first_name')).toEqual({ kind: 'person_name', confidence: 0.9 });
  });
});

describe('classifyValue', () => {
  it.each<[string, PiiKind | undefined]>([
    ['jane.doe@example.com', 'email'],
    ['not an email@', undefined],
    ['GB82 WEST 1234 5698 7654 32', 'iban'],
    ['DE89370400440532013000', 'iban'],
    ['GB82 WEST 1234 5698 7654 33', undefined], // mod-97 fails
    ['4111 1111 1111 1111', 'card_number'],
    ['5500-0000-0000-0004', 'card_number'],
    ['4111 1111 1111 1112', undefined], // Luhn fails: not a card, and too many digits for a phone
    ['123-45-6789', 'national_id'],
    ['000-12-3456', undefined], // never issued
    ['CE 12 34 56 D', 'national_id'],
    ['QQ 12 34 56 C', undefined], // Q is never a first letter (HMRC's example prefix)
    ['AB123456C', 'national_id'],
    ['GB123456A', undefined], // GB is never a NINO prefix
    ['+44 20 7946 0958', 'phone'],
    ['(555) 123-4567', 'phone'],
    ['5551234567', undefined], // bare digits: an id as often as a phone
    ['1980-05-02', undefined], // a date, not a phone
    ['02.05.1980', undefined],
    ['Jane Doe', 'person_name'],
    ['Olivia Smith-Jones', 'person_name'],
    ['New York', undefined],
    ['221B Baker Street', 'address'],
    ['Hauptstraße 5, 10115 Berlin', 'address'],
    ['12 rue de la Paix', 'address'],
    ['Baker Street', undefined],
    ['hello world', undefined],
    ['', undefined],
  ])('%j → %s', (value, kind) => {
    expect(classifyValue(value)).toBe(kind);
  });

  it('checks IBANs with mod-97 and cards with Luhn', () => {
    expect(isIban('FR1420041010050500013M02606')).toBe(true);
    expect(isIban('FR1420041010050500013M02607')).toBe(false);
    expect(isCardNumber('378282246310005')).toBe(true); // Amex test number
    expect(isCardNumber('0000000000000000')).toBe(false); // Luhn-valid but one repeated digit
  });
});

describe('classifyValues', () => {
  it('classifies by majority, ignoring blanks, with the share as confidence', () => {
    const samples = ['a@x.example', 'b@y.example', '', '  ', 'c@z.example', 'd@w.example', 'n/a'];
    expect(classifyValues(samples)).toEqual({ kind: 'email', confidence: 0.8 });
  });

  it('does not classify a column with a few stray values', () => {
    const samples = ['a@x.example', 'call me', 'thanks', 'ok', 'see you', 'fine'];
    expect(classifyValues(samples)).toBeUndefined();
  });

  it('needs enough samples and honours the threshold', () => {
    expect(classifyValues(['a@x.example', 'b@x.example'])).toBeUndefined();
    const mixed = ['123-45-6789', '234-56-7890', '345-67-8901', 'x', 'y'];
    expect(classifyValues(mixed)).toEqual({ kind: 'national_id', confidence: 0.6 });
    expect(classifyValues(mixed, { threshold: 0.7 })).toBeUndefined();
  });
});

describe('classifyBirthDates', () => {
  const today = new Date('2025-06-15T12:00:00Z');
  // 1950 … 2004, one a year: ages 21 to 75
  const births = Array.from({ length: 10 }, (_, i) => `${1950 + i * 6}-0${1 + (i % 9)}-1${i % 10}`);

  it('counts ages as birthdays do', () => {
    expect(ageInYears({ y: 2009, m: 6, d: 15 }, today)).toBe(16);
    expect(ageInYears({ y: 2009, m: 6, d: 16 }, today)).toBe(15);
    expect(ageInYears({ y: 1915, m: 1, d: 1 }, today)).toBe(110);
  });

  it.each<[string, readonly string[], { kind: 'birth_date'; confidence: number } | undefined]>([
    ['dates 16–110 years back, spread over decades', births, { kind: 'birth_date', confidence: 1 }],
    [
      'timestamps at midnight, with or without an offset',
      births.map((d, i) => (i % 2 ? `${d} 00:00:00` : `${d} 00:00:00+00`)),
      { kind: 'birth_date', confidence: 1 },
    ],
    [
      'a few blanks and one infinity among them',
      [...births, '', ' ', 'infinity'],
      { kind: 'birth_date', confidence: 10 / 11 },
    ],
    ['recent dates, 2015–2024 (created_at)', births.map((d, i) => `${2015 + i}${d.slice(4)}`), undefined],
    [
      'timestamps with a time of day (an event log of 1990–2000)',
      births.map((_, i) => `${1990 + i}-03-04 13:45:12`),
      undefined,
    ],
    [
      'dates of one era clustered in fewer than five years',
      births.map((_, i) => `${1999 + (i % 4)}-01-0${1 + (i % 9)}`),
      undefined,
    ],
    ['too old to be alive', births.map((_, i) => `${1800 + i * 5}-01-01`), undefined],
    ['half of them recent', [...births.slice(0, 5), ...births.slice(0, 5).map(() => '2024-01-01')], undefined],
    ['too few samples', births.slice(0, 4), undefined],
    ['not dates at all', ['a', 'b', 'c', 'd', 'e'], undefined],
    ['BC dates', births.map((d) => `${d} BC`), undefined],
  ])('%s', (_what, samples, expected) => {
    expect(classifyBirthDates(samples, today)).toEqual(expected);
  });
});

describe('personal data inside free text', () => {
  it.each<[string, 'email' | 'phone' | 'person_name' | undefined]>([
    ['prefers contact by email; write to jane.doe@example.com', 'email'],
    ['cc: Søren <s.jensen@mail.example.net>', 'email'],
    ['call back on +1-555-0100 after 5', 'phone'],
    ['call (555) 123-4567', 'phone'],
    ['office: 020 7946 0958', 'phone'],
    ['spoke to Olivia Brown about the refund', 'person_name'],
    ['Priya Okafor asked for a callback', 'person_name'],
    ['handed over to Mrs Dubois', 'person_name'],
    ['seen by Dr. Kim', 'person_name'],
    ["married name: Ava O'Brien", 'person_name'],
    ['prefers contact by phone\tnote\\42', undefined],
    ['order 2024-01-15 10:30 shipped', undefined],
    ['ref 55501234 paid 1 234.50', undefined],
    ['ticket 123-456 closed', undefined],
    ['Blue Widget, Terms Apply', undefined],
    ['meet at James Street, near Grace Hospital', undefined],
    ['JACK NASA', undefined],
    ['olivia brown in lower case', undefined],
    ['', undefined],
  ])('%j → %s', (text, kind) => {
    expect(personalDataInText(text)).toBe(kind);
  });

  const plain = ['called back, all fine', 'no answer', 'refund issued', 'prefers post', 'asked about delivery'];

  it('marks a column when a fair share of its values carry personal data, with that share as confidence', () => {
    const notes = [...plain, ...plain, 'spoke to Liam Johnson', 'reach me at r1@example.com', '', ' '];
    expect(classifyFreeText(notes)).toEqual({ kind: 'free_text', confidence: 2 / 12 });
  });

  it('needs two hits and a tenth of the values, and enough samples', () => {
    expect(classifyFreeText([...plain, 'spoke to Liam Johnson'])).toBeUndefined();
    const many = Array.from({ length: 19 }, () => plain).flat(); // 95 values, 2 hits: 2 %
    expect(classifyFreeText([...many, 'spoke to Liam Johnson', 'mail r1@example.com'])).toBeUndefined();
    expect(classifyFreeText(['spoke to Liam Johnson', 'mail r1@example.com', 'ok'])).toBeUndefined();
  });
});
