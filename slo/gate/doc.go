// Package gate is a health gate for progressive delivery: while a canary
// moves 5% → 25% → 50% → 100% of the traffic, it says, for the last
// observation window, whether the canary is healthy — its error rate, a
// latency quantile and its resource gauges within limits, and, optionally,
// not much worse than the stable version — unhealthy, with the reasons, or
// that there is not enough data yet.
//
//	g := gate.Gate{
//		Window:       5 * time.Minute,
//		MaxErrorRate: 0.01,
//		MaxLatency:   gate.LatencyLimit{Quantile: 0.99, Max: 300 * time.Millisecond},
//		MaxResource:  map[string]float64{"cpu": 0.8},
//		MinCoverage:  0.8,
//	}
//	canary, err := gate.New(g, nil)
//
//	// As things happen, with the time they happened:
//	err = canary.Requests(t, 120, 1)
//	err = canary.Latency(t, 87*time.Millisecond)
//	err = canary.Gauge(t, "cpu", 0.41)
//
//	v := canary.Evaluate(now)
//	switch v.Status {
//	case gate.StatusHealthy: // next step
//	case gate.StatusUnhealthy: // roll back; v.Reasons say why:
//		// "error rate 2.3% > 1% over 5m (230 of 10000 requests failed)"
//	case gate.StatusNotEnoughData: // wait
//	}
//
// # The window
//
// A [Recorder] keeps what it is given in the slots of a rolling window:
// [DefaultSlots] of them (Gate.Resolution sets their width), each holding
// what happened in its time; the window that ends at t is the slot of t
// and the ones before it, and older slots are dropped as time moves on.
// So the window covers between Window - Resolution and Window of time,
// and memory does not grow with traffic. Counts are increments:
// [Recorder.Requests] adds requests, [Recorder.Histogram] adds the
// increase of a cumulative histogram since its previous snapshot, with
// counter resets handled as PromQL's increase() does.
//
// # Latency quantiles
//
// Latencies come either as samples ([Recorder.Latency]) or as snapshots of
// a Prometheus-style histogram ([Recorder.Histogram]); a recorder takes one
// kind.
//
// From samples, the quantile is the nearest rank: the smallest sample that
// at least that share of the samples do not exceed — so the p99 is at most
// 300 ms exactly when at least 99% of the requests took at most 300 ms.
// It is exact while the recorder holds at most Options.MaxSamples samples
// (10 000 by default, 80 kB). Beyond that, the samples of a slot that gets
// more are folded into a log-scale histogram whose buckets grow by 1% (8
// bytes for each bucket between the slot's smallest and largest latency:
// at most 2 400, 19 kB a slot), and the quantile read from it is never
// below the true one and at most 1% above it, for latencies from 1 µs to 6
// hours: a gate may then fail a canary whose true p99 is up to 1% under
// the limit, but never passes one above it.
//
// From histograms, the quantile is what PromQL's
// histogram_quantile(q, increase(h_bucket[window])) computes
// ([HistogramQuantile]), on the increase over the window's slots as the
// snapshots tell it, without increase()'s extrapolation to the window's
// edges, which the quantile does not see anyway: linear interpolation
// within the bucket of the rank, from 0 in the lowest bucket, and the
// highest finite bound if the rank falls in the +Inf bucket. It is an
// estimate only as fine as the buckets: give a limit that is a bucket
// bound, and one below the highest finite bound, which is the most this
// can report.
//
// # Verdicts
//
// Each check — the error rate, the latency, each resource, each
// comparison with the baseline — passes, fails, or has not enough data:
//
//   - It has not enough data while it has fewer than MinRequests requests
//     in the window (latency observations for the latency; one sample for
//     a resource; and the baseline's too for a comparison).
//   - With enough, it fails when its value is over its limit, however
//     little of the window the data covers: evidence of harm is enough,
//     and a canary should roll back fast.
//   - To pass, its data must also cover MinCoverage of the window's slots
//     (and the baseline's, for a comparison): a canary that started a
//     minute ago, or whose metrics stopped, has not shown it is healthy.
//
// The verdict is Unhealthy if a check fails, with the failures as
// reasons; else NotEnoughData if a check has not enough data, with what is
// missing; else Healthy. So Unhealthy wins over not enough data only when
// the failing check itself has enough data.
//
// # Baseline
//
// With Gate.Baseline, [Recorder.Compare] also compares the canary with a
// recorder of the stable version, over the same window: the canary's
// error rate (latency) may be at most a factor of the stable version's
// plus a tolerance. A canary is then judged against what the service does
// today, not only against fixed limits.
//
// # Concurrency
//
// A Recorder may be used by many goroutines at once: every method takes
// its lock, and Evaluate copies the window's data out before it computes.
package gate
