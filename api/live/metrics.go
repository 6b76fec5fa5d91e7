package live

import "github.com/prometheus/client_golang/prometheus"

// Collectors exposes the hub's counters to Prometheus. They read the same
// atomics as Stats at scrape time, so the feed pays nothing per message.
func (h *Hub) Collectors() []prometheus.Collector {
	return []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "hindsight_live_connections", Help: "Open live feed connections (WebSocket and SSE) on this node.",
		}, func() float64 { return float64(h.stats.connections.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "hindsight_live_rooms", Help: "Retros with at least one live connection on this node.",
		}, func() float64 { return float64(h.Stats().Rooms) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "hindsight_live_messages_sent_total", Help: "Messages written to live feed clients.",
		}, func() float64 { return float64(h.stats.sent.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "hindsight_live_slow_consumers_dropped_total", Help: "Live connections closed because their queue overflowed; they were told to resume.",
		}, func() float64 { return float64(h.stats.dropped.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "hindsight_live_revoked_total", Help: "Live connections closed because their viewer may no longer see the retro.",
		}, func() float64 { return float64(h.stats.revoked.Load()) }),
	}
}
