// Package pgtest gives tests a PostgreSQL schema of their own, on the
// server that ALERTKIT_TEST_POSTGRES names (see internal/testenv).
package pgtest
