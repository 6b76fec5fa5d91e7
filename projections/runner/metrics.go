package runner

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Collector exposes the runner's read models to Prometheus: lag (how many
// log positions each is behind the end), checkpoint, and events skipped
// as poison. Lag is computed at scrape time from the store's last position.
type Collector struct {
	r                           *Runner
	lag, checkpoint, poisonDesc *prometheus.Desc
}

// Collector returns the runner's metrics; register it with a registry.
func (r *Runner) Collector() *Collector {
	return &Collector{
		r: r,
		lag: prometheus.NewDesc("hindsight_projection_lag_positions",
			"Log positions (commits) a read model is behind the end of the log.", []string{"projection"}, nil),
		checkpoint: prometheus.NewDesc("hindsight_projection_checkpoint_position",
			"Position of the last commit a read model applied whole.", []string{"projection"}, nil),
		poisonDesc: prometheus.NewDesc("hindsight_projection_poison_events_total",
			"Events a read model could not apply and skipped after retries.", []string{"projection"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.lag
	ch <- c.checkpoint
	ch <- c.poisonDesc
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	lag, err := c.r.Lag(ctx)
	for _, s := range c.r.slots {
		name := s.Name()
		ch <- prometheus.MustNewConstMetric(c.checkpoint, prometheus.GaugeValue, float64(s.projection().Checkpoint()), name)
		ch <- prometheus.MustNewConstMetric(c.poisonDesc, prometheus.CounterValue, float64(s.poisoned().Load()), name)
		if err != nil {
			ch <- prometheus.NewInvalidMetric(c.lag, err)
			continue
		}
		ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, float64(lag[name]), name)
	}
}

// ReactorCollector exposes a reactor to Prometheus: its checkpoint, how
// many log positions it is behind the end, and its failed reaction
// attempts. A reactor waits on a failing reaction, so a lag that grows with
// failures is one stuck.
type ReactorCollector struct {
	r                           *Reactor
	lag, checkpoint, failedDesc *prometheus.Desc
}

// Collector returns the reactor's metrics; register it with a registry.
func (r *Reactor) Collector() *ReactorCollector {
	return &ReactorCollector{
		r: r,
		lag: prometheus.NewDesc("hindsight_reactor_lag_positions",
			"Log positions (commits) a reactor is behind the end of the log.", []string{"reactor"}, nil),
		checkpoint: prometheus.NewDesc("hindsight_reactor_checkpoint_position",
			"Position of the last commit a reactor reacted to whole.", []string{"reactor"}, nil),
		failedDesc: prometheus.NewDesc("hindsight_reactor_failed_attempts_total",
			"Reaction attempts that failed (each is retried until it succeeds).", []string{"reactor"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *ReactorCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.lag
	ch <- c.checkpoint
	ch <- c.failedDesc
}

// Collect implements prometheus.Collector.
func (c *ReactorCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	name, at := c.r.cfg.Name, c.r.Checkpoint()
	ch <- prometheus.MustNewConstMetric(c.checkpoint, prometheus.GaugeValue, float64(at), name)
	ch <- prometheus.MustNewConstMetric(c.failedDesc, prometheus.CounterValue, float64(c.r.failed.Load()), name)
	last, err := c.r.cfg.Store.LastPosition(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.lag, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, float64(last-min(last, at)), name)
}
