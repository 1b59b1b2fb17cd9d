// Package testenv finds and runs the real components that some alertkit
// tests exercise: Prometheus and Alertmanager, and the PostgreSQL server
// that ALERTKIT_TEST_POSTGRES names ([Postgres]).
//
// A test that needs a component calls [Command]. Outside CI, a missing
// component skips the test with a message that says how to install it; in
// CI (the environment variable CI=true), it fails the test, because .ci/run
// installs every component and a skip there would hide a broken setup.
//
// Processes started with [Start] are killed when the test ends, and their
// output is printed if the test failed.
package testenv
