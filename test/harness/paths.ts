// Where the harness keeps its throwaway clusters, shared by the global setup and the test files.
export const HARNESS_ROOT_ENV = 'LIFEBOAT_TEST_ROOT';
export const TEMPLATE_DIR = 'template-pgdata';
export const SUPERUSER = 'postgres';
export const PASSWORD = 'lifeboat-test';
/** The migrated control-plane database inside the template cluster. */
export const STORE_TEMPLATE_DB = 'lifeboat_template';
/** The seeded "production" CustomerDB inside the template cluster. */
export const CUSTOMER_TEMPLATE_DB = 'customer_fixture';
export const FIXTURE_CUSTOMERS = 500;
