// Package benchdata makes the alerts that alertkit's ingestion benchmarks
// feed, the same in every package that measures ingestion, so that their
// figures compare: alerts of 10 labels and a summary, in 1,000 groups of
// alertname and namespace, each name and value a string of its own, as
// decoding JSON makes them.
package benchdata
