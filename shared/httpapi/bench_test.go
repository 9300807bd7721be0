package httpapi_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cloudconnector/cloudconnector/shared/domain"
	"github.com/cloudconnector/cloudconnector/shared/rotation"
)

// benchmarkRotations measures request-to-connected latency of n concurrent
// rotations: from the rotate request until the link is connected on its new
// credential, with the worker polling the real queue as an event source
// mapping does.
func benchmarkRotations(b *testing.B, n int) {
	t := b
	h := newHarness(b)
	w := h.newWorld("bench", "jira", "11.3")
	ids := make([]string, n)
	for i := range n {
		site := fmt.Sprintf("b%03d", i)
		h.must(h.do(w.orgAdmin, "PUT /sites/{siteId}", map[string]string{"siteId": site}, map[string]any{"name": site, "url": "https://" + site + ".example.com"}, nil), 201)
		r := h.must(h.do(w.orgAdmin, "POST /links", nil, map[string]any{"siteId": site, "connectorId": w.connector, "scopes": []string{"READ"}}, nil), 201)
		ids[i] = r.body["id"].(string)
		h.must(h.do(w.dcAdmin, "POST /links/{linkId}/accept", linkParams(ids[i]), map[string]any{"scopes": []string{"READ"}}, nil), 200)
	}
	worker := rotation.NewWorker(h.svc, h.svc.Log)
	var latencies []time.Duration
	var messages int
	start := time.Now()
	b.ResetTimer()
	for range b.N {
		started := make(map[string]time.Time, n)
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				at := time.Now()
				h.must(h.do(w.orgAdmin, "POST /links/{linkId}/rotate", linkParams(id), nil, nil), 202)
				mu.Lock()
				started[id] = at
				mu.Unlock()
			}()
		}
		wg.Wait()
		// Four pollers, like an event source mapping with a maximum
		// concurrency of four, while this goroutine watches the links.
		stop := make(chan struct{})
		var pollers sync.WaitGroup
		var received sync.Mutex
		for range 4 {
			pollers.Add(1)
			go func() {
				defer pollers.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					got := h.pollOnce(t, worker)
					received.Lock()
					messages += got
					received.Unlock()
				}
			}()
		}
		done := map[string]bool{}
		for len(done) < n {
			for _, id := range ids {
				if !done[id] {
					if l := h.link(t, id); l.Status == domain.StatusConnected && l.Rotation.State == domain.RotationCompleted {
						done[id] = true
						latencies = append(latencies, time.Since(started[id]))
					}
				}
			}
		}
		close(stop)
		pollers.Wait()
	}
	b.StopTimer()
	elapsed := time.Since(start)
	slices.Sort(latencies)
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(messages)/elapsed.Seconds(), "msgs/s")
}

func BenchmarkRotation1(b *testing.B)   { benchmarkRotations(b, 1) }
func BenchmarkRotation200(b *testing.B) { benchmarkRotations(b, 200) }
