package main

import (
	"math"
	"math/rand/v2"
	"time"
)

// The simulated month, in UTC.
var (
	start = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	end   = start.Add(30 * 24 * time.Hour)
)

// incident is a time the stack misbehaved.
type incident struct {
	name     string
	at       time.Time
	duration time.Duration
	what     string
}

// The two incidents of the month. The API container restarts at night;
// PostgreSQL slows down one afternoon, and its connection pool times out
// for part of it.
var (
	restart = incident{"the restart of 9 Nov", time.Date(2026, 11, 9, 3, 12, 0, 0, time.UTC), 3 * time.Minute,
		"the API container is OOM-killed and restarts: Nginx answers 502 for 3 minutes"}
	dbSlow = incident{"the outage of 23 Nov", time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC), 90 * time.Minute,
		"PostgreSQL slows down (a migration dropped an index): 90% of requests take over a second for 90 minutes"}
	dbErrors = incident{"the timeouts of 23 Nov", time.Date(2026, 11, 23, 14, 20, 0, 0, time.UTC), 40 * time.Minute,
		"the API's connection pool times out: 30% of requests fail with a 5xx"}
)

// The shape of the traffic and of its failures.
const (
	baseErrorShare = 0.001 // 5xx in quiet times: failed payments, bugs
	poolErrorShare = 0.30  // 5xx while the pool times out
	slowShare      = 0.90  // requests that wait on PostgreSQL while it is slow
)

// perHour is the API's requests a minute at each hour of a Monday (UTC):
// quiet at night, a peak in the evening. Minutes in between are
// interpolated.
var perHour = [24]int{
	600, 420, 300, 240, 240, 300, 540, 900, 1380, 1800, 2100, 2340,
	2460, 2400, 2460, 2400, 2340, 2400, 2580, 2760, 2880, 2520, 1800, 1080,
}

// perWeekday scales perHour by the day, in percent, Sunday first: people
// shop at the weekend.
var perWeekday = [7]int{115, 100, 95, 95, 100, 105, 120}

// bounds are the upper bounds of the API's latency histogram,
// http_request_duration_seconds: TechShop's buckets, and 0.3, which its
// latency SLI reads (le="0.3") but its buckets lack.
var bounds = []float64{0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.3, 0.5, 0.75, 1, 2.5, 5, math.Inf(1)}

// le300 is the index of the 0.3 s bucket in bounds.
const le300 = 6

// The latencies, log-normal: requests served from Redis or quick queries,
// and requests that wait on a slow PostgreSQL.
const (
	fastMedian, fastSigma = 0.060, 0.75 // p95 ≈ 0.2 s; 98.4% under 300 ms
	slowMedian, slowSigma = 1.5, 0.6
)

// minute is what the TechShop stack did in the minute that ends At, as its
// exporters tell it: the API's requests as Nginx counts them — 502s
// included when the API is down — the cumulative latency histogram, the
// host's CPU, the API's requests in flight and whether its target is up.
type minute struct {
	At       time.Time
	Requests int
	Errors   int      // of Requests, answered with a 5xx
	Buckets  []uint64 // Buckets[i] requests took at most bounds[i]
	CPU      float64  // percent busy
	Active   float64  // http_requests_active
	Up       bool     // up{job="api"}
}

// traffic makes up the TechShop stack's minutes, the same on every run.
type traffic struct {
	rng *rand.Rand
}

func newTraffic() *traffic { return &traffic{rng: rand.New(rand.NewPCG(1, 1))} }

// during says whether the minute that ends at t is in the incident.
func (i incident) during(t time.Time) bool {
	return t.After(i.at) && !t.After(i.at.Add(i.duration))
}

// next returns the minute that ends at t.
func (tr *traffic) next(t time.Time) minute {
	m := minute{At: t, Up: true}
	from := t.Add(-time.Minute)
	h, mi := from.Hour(), from.Minute()
	rate := perHour[h] + (perHour[(h+1)%24]-perHour[h])*mi/60
	rate = rate * perWeekday[from.Weekday()] / 100
	m.Requests = rate + rate*(tr.rng.IntN(81)-40)/1000 // ±4%

	errorShare, slow := baseErrorShare, 0.0
	if dbSlow.during(t) {
		slow = slowShare
	}
	if dbErrors.during(t) {
		errorShare = poolErrorShare
	}
	m.Errors = tr.binomial(m.Requests, errorShare)
	if restart.during(t) {
		m.Up, m.Errors = false, m.Requests
	}

	// Latencies: a fast mixture part whose median wanders by ±10%, and the
	// share that waits on PostgreSQL. Nginx's 502s are fast.
	median := fastMedian * (0.9 + 0.2*tr.rng.Float64())
	m.Buckets = make([]uint64, len(bounds))
	for i, le := range bounds {
		share := (1-slow)*lognormalCDF(le, median, fastSigma) + slow*lognormalCDF(le, slowMedian, slowSigma)
		m.Buckets[i] = uint64(math.Round(float64(m.Requests) * share))
	}
	mean := (1-slow)*median*math.Exp(fastSigma*fastSigma/2) + slow*slowMedian*math.Exp(slowSigma*slowSigma/2)

	// Little's law: requests in flight are the arrival rate times the mean
	// time in the system.
	m.Active = math.Round(float64(m.Requests)/60*mean*10) / 10
	if m.Up {
		m.CPU = 12 + 38*float64(m.Requests)/3500 + 6*tr.rng.Float64()
	} else {
		m.CPU = 8 + 4*tr.rng.Float64()
	}
	if slow > 0 {
		m.CPU = 86 + 8*tr.rng.Float64() // PostgreSQL scanning a table
	}
	m.CPU = math.Round(m.CPU*10) / 10
	return m
}

// binomial draws how many of n requests fail, each with probability p:
// Poisson for few, normal for many.
func (tr *traffic) binomial(n int, p float64) int {
	mean := float64(n) * p
	var k int
	if mean < 20 {
		limit, prod := math.Exp(-mean), tr.rng.Float64()
		for prod > limit {
			k++
			prod *= tr.rng.Float64()
		}
	} else {
		k = int(math.Round(mean + tr.rng.NormFloat64()*math.Sqrt(mean*(1-p))))
	}
	return min(max(k, 0), n)
}

// lognormalCDF is the share of a log-normal distribution at most x.
func lognormalCDF(x, median, sigma float64) float64 {
	if math.IsInf(x, 1) {
		return 1
	}
	return 0.5 * math.Erfc(-math.Log(x/median)/(sigma*math.Sqrt2))
}
