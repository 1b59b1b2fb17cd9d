package incidentapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/incident"
)

// Limits of the query parameter limit.
const (
	// DefaultSearchLimit and MaxSearchLimit bound a page of GET /incidents.
	DefaultSearchLimit = 100
	MaxSearchLimit     = 1000
	// DefaultSimilarLimit and MaxSimilarLimit bound the recent incidents
	// of GET /incidents/{id}/similar.
	DefaultSimilarLimit = 10
	MaxSimilarLimit     = 100
	// DefaultHistoryLimit and MaxHistoryLimit bound a page of GET
	// /incidents/{id}/history; DetailHistory is how many of the newest
	// entries an incident's detail holds.
	DefaultHistoryLimit = 100
	MaxHistoryLimit     = 1000
	DetailHistory       = 50
)

// getIncidents serves GET /incidents?q=&limit=&before=.
func (a *API) getIncidents(_ http.ResponseWriter, r *http.Request, _ string) (any, error) {
	params := r.URL.Query()
	q, err := a.opts.Parser.Parse(params.Get("q"))
	if err != nil {
		return nil, queryError(err)
	}
	limit, err := limitParam(r, DefaultSearchLimit, MaxSearchLimit)
	if err != nil {
		return nil, err
	}
	found, err := a.m.Store().Search(r.Context(), incident.Filter{
		Query:  q,
		At:     a.opts.Now(),
		Before: incident.ID(params.Get("before")),
		Limit:  limit,
	})
	if err != nil {
		return nil, err
	}
	res := &SearchResult{Incidents: a.incidents(found)}
	if len(found) == limit {
		res.Next = found[len(found)-1].ID
	}
	return res, nil
}

// limitParam reads the query parameter limit: a whole number from 1 to max,
// def when absent.
func limitParam(r *http.Request, def, max int) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > max {
		return 0, badRequest("limit", "want a whole number from 1 to %d, got %q", max, s)
	}
	return n, nil
}

// view reads the incident of the path with its members.
func (a *API) view(r *http.Request) (incident.View, error) {
	return a.m.View(r.Context(), incident.ID(r.PathValue("id")))
}

// getDetail serves GET /incidents/{id}.
func (a *API) getDetail(_ http.ResponseWriter, r *http.Request, _ string) (any, error) {
	v, err := a.view(r)
	if err != nil {
		return nil, err
	}
	return a.describe(r.Context(), v)
}

// describe completes a view with its history, runbooks and deliveries.
func (a *API) describe(ctx context.Context, v incident.View) (*Detail, error) {
	page, err := a.historyPage(ctx, v.ID, 0, DetailHistory)
	if err != nil {
		return nil, err
	}
	d := &Detail{
		Incident:    a.incident(v.Incident),
		Summary:     incident.Summarize(v.Members),
		Members:     members(v.Members),
		History:     page.History,
		HistoryNext: page.Next,
	}
	if d.Summary == nil {
		d.Summary = incident.Summary{}
	}
	if a.opts.Runbooks != nil {
		d.Runbooks = runbooks(a.opts.Runbooks.For(v))
	}
	if a.opts.Log != nil {
		attempts, err := a.opts.Log.Attempts(ctx, v.ID)
		if err != nil {
			return nil, err
		}
		d.Deliveries = deliveries(attempts)
	}
	return d, nil
}

// getMembers serves GET /incidents/{id}/members.
func (a *API) getMembers(_ http.ResponseWriter, r *http.Request, _ string) (any, error) {
	v, err := a.view(r)
	if err != nil {
		return nil, err
	}
	return &MembersResult{Members: members(v.Members)}, nil
}

// getHistory serves GET /incidents/{id}/history?limit=&before=.
func (a *API) getHistory(_ http.ResponseWriter, r *http.Request, _ string) (any, error) {
	limit, err := limitParam(r, DefaultHistoryLimit, MaxHistoryLimit)
	if err != nil {
		return nil, err
	}
	var before int64
	if s := r.URL.Query().Get("before"); s != "" {
		if before, err = strconv.ParseInt(s, 10, 64); err != nil || before < 1 {
			return nil, badRequest("before", "want the seq of an entry, a whole number from 1, got %q", s)
		}
	}
	return a.historyPage(r.Context(), incident.ID(r.PathValue("id")), before, limit)
}

// historyPage reads the newest limit entries of a history before a seq.
func (a *API) historyPage(ctx context.Context, id incident.ID, before int64, limit int) (*HistoryResult, error) {
	page, err := a.m.Store().HistoryPage(ctx, id, incident.HistoryQuery{Before: before, Limit: limit})
	if err != nil {
		return nil, err
	}
	res := &HistoryResult{History: events(page)}
	if len(page) == limit && page[0].Seq > 1 {
		res.Next = page[0].Seq
	}
	return res, nil
}

// getRunbooks serves GET /incidents/{id}/runbooks.
func (a *API) getRunbooks(_ http.ResponseWriter, r *http.Request, _ string) (any, error) {
	v, err := a.view(r)
	if err != nil {
		return nil, err
	}
	return &RunbooksResult{Runbooks: runbooks(a.opts.Runbooks.For(v))}, nil
}

// getDeliveries serves GET /incidents/{id}/deliveries.
func (a *API) getDeliveries(_ http.ResponseWriter, r *http.Request, _ string) (any, error) {
	id := incident.ID(r.PathValue("id"))
	// The log knows nothing of incidents: ask the store whether it exists.
	if _, err := a.m.Store().Get(r.Context(), id); err != nil {
		return nil, err
	}
	attempts, err := a.opts.Log.Attempts(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return &DeliveriesResult{Deliveries: deliveries(attempts)}, nil
}

// getSimilar serves GET /incidents/{id}/similar?limit=.
func (a *API) getSimilar(_ http.ResponseWriter, r *http.Request, _ string) (any, error) {
	limit, err := limitParam(r, DefaultSimilarLimit, MaxSimilarLimit)
	if err != nil {
		return nil, err
	}
	inc, err := a.m.Store().Get(r.Context(), incident.ID(r.PathValue("id")))
	if err != nil {
		return nil, err
	}
	s, err := a.m.Similar(r.Context(), inc, limit)
	if err != nil {
		return nil, err
	}
	return &SimilarResult{
		Count:       s.Count,
		MTTASeconds: s.MTTA.Seconds(),
		MTTRSeconds: s.MTTR.Seconds(),
		Recent:      a.incidents(s.Recent),
	}, nil
}

// getSnoozePresets serves GET /snooze-presets.
func (a *API) getSnoozePresets(http.ResponseWriter, *http.Request, string) (any, error) {
	res := &PresetsResult{Presets: []Preset{}}
	for _, d := range incident.SnoozePresets() {
		res.Presets = append(res.Presets, Preset{For: model.Duration(d).String(), Seconds: int64(d / time.Second), Label: durationLabel(d)})
	}
	return res, nil
}

// durationLabel names a duration in words: "30 minutes", "1 hour".
func durationLabel(d time.Duration) string {
	n, unit := int64(d/time.Minute), "minute"
	switch {
	case d%(24*time.Hour) == 0:
		n, unit = int64(d/(24*time.Hour)), "day"
	case d%time.Hour == 0:
		n, unit = int64(d/time.Hour), "hour"
	}
	if n != 1 {
		unit += "s"
	}
	return strconv.FormatInt(n, 10) + " " + unit
}
