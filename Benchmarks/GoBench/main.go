// A plain Go net/http + encoding/json version of ScanRelay's benchmarked endpoints: what a team would write instead
// of ScanRelay (and what Convoy is built on). The standard library only; the same work as Benchmarks/HummingbirdBench:
//
//	GET  /healthz                  {"status":"ok"}
//	GET  /v1/scans/{id}            a cached scan, JSON-encoded per request (encoding/json)
//	POST /v1/webhooks/{source}     Standard Webhooks (HMAC-SHA256 over id.timestamp.body, ±5 min), JSON decode,
//	                               dedupe by webhook-id, store; 202 new, 200 duplicate, 401 bad signature
//
// Usage: gobench <port> <seeded scans> <source name> <whsec_ secret>
package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

type subject struct {
	ImageID   string `json:"imageId"`
	ProductID string `json:"productId"`
}

type findings struct {
	Critical   int `json:"critical"`
	High       int `json:"high"`
	Medium     int `json:"medium"`
	Low        int `json:"low"`
	Negligible int `json:"negligible"`
	Unknown    int `json:"unknown"`
	Total      int `json:"total"`
}

// scan has the field names and order of ScanRelay's summary view, as BenchScan.swift does.
type scan struct {
	ID                string   `json:"id"`
	Source            string   `json:"source"`
	Provider          string   `json:"provider"`
	UpstreamID        string   `json:"upstreamId"`
	Subject           subject  `json:"subject"`
	Status            string   `json:"status"`
	UpstreamStatus    string   `json:"upstreamStatus"`
	CreatedAt         string   `json:"createdAt"`
	UpdatedAt         string   `json:"updatedAt"`
	UpstreamUpdatedAt string   `json:"upstreamUpdatedAt"`
	CompletedAt       *string  `json:"completedAt"`
	Findings          findings `json:"findings"`
	Score             *float64 `json:"score"`
	Checks            []string `json:"checks"`
	Via               string   `json:"via"`
	Revision          int      `json:"revision"`
}

type event struct {
	Type string `json:"type"`
	Data scan   `json:"data"`
}

func seeded(index int, source string) scan {
	upstreamID := fmt.Sprintf("bench-%d", index)
	completed := "2026-01-20T10:42:17Z"
	return scan{
		ID: source + ":" + upstreamID, Source: source, Provider: "binarly", UpstreamID: upstreamID,
		Subject: subject{ImageID: fmt.Sprintf("image-%d", index), ProductID: fmt.Sprintf("product-%d", index%100)},
		Status:  "completed", UpstreamStatus: "done",
		CreatedAt: "2026-01-20T10:00:00Z", UpdatedAt: "2026-01-20T10:42:20Z",
		UpstreamUpdatedAt: completed, CompletedAt: &completed,
		Findings: findings{High: 1, Medium: 2, Total: 3}, Checks: []string{}, Via: "webhook", Revision: 1,
	}
}

type store struct {
	mu         sync.Mutex
	scans      map[string]scan
	deliveries map[string]struct{}
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

var (
	notFound     = []byte(`{"title":"Not Found","status":404}`)
	unauthorized = []byte(`{"title":"Unauthorized","status":401}`)
	badRequest   = []byte(`{"title":"Bad Request","status":400}`)
)

// verify checks a Standard Webhooks v1 signature and returns the delivery id.
func verify(key []byte, r *http.Request, body []byte) (string, bool) {
	id, timestamp, signature := r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"), r.Header.Get("webhook-signature")
	seconds, err := strconv.ParseInt(timestamp, 10, 64)
	if id == "" || signature == "" || err != nil {
		return "", false
	}
	if delta := time.Now().Unix() - seconds; delta > 300 || delta < -300 {
		return "", false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + timestamp + "."))
	mac.Write(body)
	expected := mac.Sum(nil)
	for _, entry := range strings.Split(signature, " ") {
		if !strings.HasPrefix(entry, "v1,") {
			continue
		}
		if given, err := base64.StdEncoding.DecodeString(entry[3:]); err == nil && hmac.Equal(given, expected) {
			return id, true
		}
	}
	return "", false
}

func main() {
	if len(os.Args) != 5 || !strings.HasPrefix(os.Args[4], "whsec_") {
		fmt.Fprintln(os.Stderr, "usage: gobench <port> <seeded scans> <source> <whsec_ secret>")
		os.Exit(64)
	}
	port, _ := strconv.Atoi(os.Args[1])
	count, _ := strconv.Atoi(os.Args[2])
	source := os.Args[3]
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(os.Args[4], "whsec_"))
	if err != nil {
		log.Fatal("the secret is not base64")
	}
	s := &store{scans: make(map[string]scan, count), deliveries: map[string]struct{}{}}
	for i := 0; i < count; i++ {
		sc := seeded(i, source)
		s.scans[sc.ID] = sc
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, []byte(`{"status":"ok"}`))
	})
	mux.HandleFunc("/v1/scans/", func(w http.ResponseWriter, r *http.Request) {
		id := strings.TrimPrefix(r.URL.Path, "/v1/scans/")
		s.mu.Lock()
		sc, ok := s.scans[id]
		s.mu.Unlock()
		if !ok {
			writeJSON(w, http.StatusNotFound, notFound)
			return
		}
		body, _ := json.Marshal(sc)
		writeJSON(w, http.StatusOK, body)
	})
	mux.HandleFunc("/v1/webhooks/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || strings.TrimPrefix(r.URL.Path, "/v1/webhooks/") != source {
			writeJSON(w, http.StatusNotFound, notFound)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			writeJSON(w, http.StatusBadRequest, badRequest)
			return
		}
		id, ok := verify(key, r, body)
		if !ok {
			writeJSON(w, http.StatusUnauthorized, unauthorized)
			return
		}
		var ev event
		if err := json.Unmarshal(body, &ev); err != nil {
			writeJSON(w, http.StatusBadRequest, badRequest)
			return
		}
		ev.Data.Source = source
		ev.Data.ID = source + ":" + ev.Data.UpstreamID
		s.mu.Lock()
		_, seen := s.deliveries[id]
		if !seen {
			s.deliveries[id] = struct{}{}
			s.scans[ev.Data.ID] = ev.Data
		}
		s.mu.Unlock()
		status := http.StatusAccepted
		if seen {
			status = http.StatusOK
		}
		writeJSON(w, status, []byte(fmt.Sprintf(`{"accepted":true,"duplicate":%t,"scanId":%q}`, seen, ev.Data.ID)))
	})
	server := &http.Server{Addr: fmt.Sprintf("127.0.0.1:%d", port), Handler: mux}
	log.Fatal(server.ListenAndServe())
}
