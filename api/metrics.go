package api

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// httpMetrics are the request series of the API.
type httpMetrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	inflight prometheus.Gauge
}

func newHTTPMetrics(reg prometheus.Registerer) (*httpMetrics, error) {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hindsight_http_requests_total",
			Help: "HTTP requests answered, by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "hindsight_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by method and route pattern (live feeds: the whole connection).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10, 60, 600},
		}, []string{"method", "route"}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hindsight_http_requests_in_flight",
			Help: "HTTP requests being handled, live feeds included.",
		}),
	}
	var err error
	if m.requests, err = register(reg, m.requests); err != nil {
		return nil, err
	}
	if m.latency, err = register(reg, m.latency); err != nil {
		return nil, err
	}
	if m.inflight, err = register(reg, m.inflight); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *httpMetrics) observe(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(method, route).Observe(d.Seconds())
}

// register adds c to reg, or returns the collector registered before under
// the same name, so two handlers built on one registry (tests, a restart of
// the router) share their series instead of failing.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	if err := reg.Register(c); err != nil {
		var already prometheus.AlreadyRegisteredError
		if errors.As(err, &already) {
			if existing, ok := already.ExistingCollector.(C); ok {
				return existing, nil
			}
		}
		return c, fmt.Errorf("register metrics: %w", err)
	}
	return c, nil
}

// InstrumentStore wraps a store so every Append is timed in
// hindsight_eventstore_append_duration_seconds, by outcome (ok, duplicate,
// conflict, error). The app and the identity service write through it.
func InstrumentStore(s eventstore.Store, reg prometheus.Registerer) (eventstore.Store, error) {
	h, err := register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "hindsight_eventstore_append_duration_seconds",
		Help:    "Time to append one commit to the event log, by outcome.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5},
	}, []string{"outcome"}))
	if err != nil {
		return nil, err
	}
	return &instrumentedStore{Store: s, append: h}, nil
}

type instrumentedStore struct {
	eventstore.Store
	append *prometheus.HistogramVec
}

func (s *instrumentedStore) Append(ctx context.Context, c eventstore.Commit) (eventstore.AppendResult, error) {
	start := time.Now()
	res, err := s.Store.Append(ctx, c)
	outcome := "ok"
	switch {
	case errors.Is(err, eventstore.ErrConflict):
		outcome = "conflict"
	case err != nil:
		outcome = "error"
	case res.Duplicate:
		outcome = "duplicate"
	}
	s.append.WithLabelValues(outcome).Observe(time.Since(start).Seconds())
	return res, err
}

// CheckWritable asks the wrapped store, so /readyz sees through the wrapper.
func (s *instrumentedStore) CheckWritable(ctx context.Context) error {
	return eventstore.CheckWritable(ctx, s.Store)
}

// GaugeFunc registers a gauge read from f at every scrape, for figures other
// packages keep themselves (live connections, projection lag).
func GaugeFunc(reg prometheus.Registerer, name, help string, f func() float64) error {
	_, err := register(reg, prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f))
	return err
}
