// Package readmecheck holds the test that the wiring example of alertkit's
// README compiles: its first Go block is written into a module of its own
// that requires alertkit from this working tree, as a user's service does,
// and checked by go vet there. A user's module may import only alertkit's
// public packages, and so may the example.
//
// The test needs the go command and the modules the example imports in
// the module cache (go test ./... downloads them); it runs with
// GOPROXY=off and never reaches the network. Without the go command it is
// skipped, and in CI (CI=true) it fails instead.
package readmecheck
