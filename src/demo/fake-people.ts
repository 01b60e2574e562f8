// Realistic-looking fake personal data, generated inside PostgreSQL from fixed word lists and a
// fixed seed: nothing is downloaded, and the same seed gives the same people every time. Used by
// the demo workspace and by the test fixtures ("production" CustomerDB).
import type pg from 'pg';

const FIRST = [
  'Olivia',
  'Liam',
  'Emma',
  'Noah',
  'Amelia',
  'Oliver',
  'Ava',
  'Elijah',
  'Sophia',
  'Mateo',
  'Isabella',
  'Lucas',
  'Mia',
  'Levi',
  'Charlotte',
  'Ezra',
  'Luna',
  'Asher',
  'Harper',
  'James',
  'Zoë',
  'José',
  'Anaïs',
  'Søren',
  'Łukasz',
  'Aiko',
  'Chiara',
  'Dmitri',
  'Fatima',
  'Kwame',
  'Priya',
  'Mehmet',
];
const LAST = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Hernández',
  'Lopez',
  'Wilson',
  'Anderson',
  "O'Brien",
  'Müller',
  'Dubois',
  'Rossi',
  'Kowalski',
  'Nakamura',
  'Okafor',
  'Singh',
  'Jensen',
  'Novak',
  'Silva',
  'van der Berg',
  'Nguyen',
];
const STREETS = [
  'Maple Street',
  'Oak Avenue',
  'Elm Road',
  'High Street',
  'Station Road',
  'Church Lane',
  'Mill Road',
  'Park Avenue',
  'Rue de la Paix',
  'Hauptstraße',
  'Via Roma',
  'Calle Mayor',
];
const CITIES = [
  'Springfield',
  'Riverton',
  'Lakewood',
  'Fairview',
  'Greenville',
  'Bristol',
  'Lyon',
  'Hamburg',
  'Bologna',
  'Valencia',
  'Porto',
  'Gdańsk',
];
const DOMAINS = ['example.com', 'example.org', 'mail.example.net', 'inbox.example'];

/** The schema of the fixture / demo CustomerDB: customers, orders (FK), and a quoted schema. */
export const CUSTOMER_SCHEMA = `
create table customers (
  id bigserial primary key,
  full_name text not null,
  email text not null unique,
  phone text,
  address text,
  birth_date date,
  created_at timestamptz not null default now(),
  notes text
);
create table orders (
  id bigserial primary key,
  customer_id bigint not null references customers(id),
  customer_email text not null,
  total numeric(10,2) not null,
  placed_at timestamptz not null,
  status text not null
);
create index orders_customer_id on orders(customer_id);
create schema "Sales Dept";
create table "Sales Dept"."Order" (
  id serial primary key,
  customer_email text not null,
  amount numeric(12,2),
  region text
);
`;

/**
 * Creates the CustomerDB schema and fills it: `customers` people, about three orders each, and a
 * "Sales Dept"."Order" row per order. Deterministic for a given seed. Like real support notes,
 * three in four non-empty `notes` mention a person: a name, a phone number or an email (chosen by
 * the row number, not by random(), so that every other column keeps the values the seed gave it
 * before notes carried them).
 */
export async function seedCustomerDb(client: pg.ClientBase, customers = 2000, seed = 0.42): Promise<void> {
  await client.query(CUSTOMER_SCHEMA);
  await client.query('select setseed($1)', [seed]);
  await client.query(
    `insert into customers (full_name, email, phone, address, birth_date, created_at, notes)
     select fn || ' ' || ln,
            lower(translate(fn, 'ëïøłüéáíóúñ''', 'eiolueaiounx')) || '.' || lower(replace(translate(ln, 'ëïøłüéáíóúñ''', 'eiolueaiounx'), ' ', '')) || i || '@' || dom,
            '+1-' || lpad((200 + floor(random() * 700))::int::text, 3, '0') || '-555-' || lpad(floor(random() * 10000)::int::text, 4, '0'),
            (1 + floor(random() * 999))::int || ' ' || st || ', ' || city,
            date '1950-01-01' + floor(random() * 20000)::int,
            timestamptz '2020-01-01 00:00:00+00' + (i || ' hours')::interval,
            case when random() < 0.3 then null when random() < 0.5 then ''
                 else 'prefers contact by ' || (array['email','phone','post'])[1 + floor(random()*3)::int] || E'\\tnote\\\\' || i
                      || case i % 4 when 1 then '; spoke to ' || fn || ' ' || ln
                                    when 2 then '; call back on +44 20 7946 ' || lpad((i % 10000)::text, 4, '0')
                                    when 3 then '; or write to ' || lower(translate(fn, 'ëïøłüéáíóúñ''', 'eiolueaiounx')) || '.home' || i || '@' || dom
                                    else '' end
            end
       from (select i,
                    ($1::text[])[1 + floor(random() * array_length($1::text[], 1))::int] as fn,
                    ($2::text[])[1 + floor(random() * array_length($2::text[], 1))::int] as ln,
                    ($3::text[])[1 + floor(random() * array_length($3::text[], 1))::int] as st,
                    ($4::text[])[1 + floor(random() * array_length($4::text[], 1))::int] as city,
                    ($5::text[])[1 + floor(random() * array_length($5::text[], 1))::int] as dom
               from generate_series(1, $6::int) as i) p`,
    [FIRST, LAST, STREETS, CITIES, DOMAINS, customers],
  );
  await client.query(
    `insert into orders (customer_id, customer_email, total, placed_at, status)
     select c.id, c.email, round((5 + random() * 495)::numeric, 2),
            c.created_at + (n || ' days')::interval,
            (array['placed','paid','shipped','returned'])[1 + floor(random() * 4)::int]
       from customers c, generate_series(1, 3) n
      where random() < 0.9
      order by c.id, n`,
  );
  await client.query(
    `insert into "Sales Dept"."Order" (customer_email, amount, region)
     select customer_email, total, (array['EMEA','AMER','APAC'])[1 + (id % 3)::int] from orders order by id`,
  );
  await client.query('analyze');
}
