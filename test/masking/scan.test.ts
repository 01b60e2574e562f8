// PII detection: by column name, by single value (checksums where they exist), and by majority
// vote over a column's samples.
import { describe, expect, it } from 'vitest';
import {
  classifyColumnName,
  classifyValue,
  classifyValues,
  isCardNumber,
  isIban,
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
