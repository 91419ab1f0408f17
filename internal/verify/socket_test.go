//go:build unix

package verify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// room serves /healthz and a WebSocket room at /ws, the way mode says:
// "room" is what verify expects; "room-echo" sends a message back to its
// sender only; "room-abrupt" exits on SIGTERM without closing its
// sockets; "room-normal" closes them with 1000 instead of 1001;
// "room-redirect" sends the handshake to another path.
func room(mode string) int {
	var mu sync.Mutex
	conns := map[*websocket.Conn]bool{}
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"ok"}`))
	})
	roomPath := "/ws"
	if mode == "room-redirect" {
		roomPath = "/elsewhere"
		http.Handle("/ws", http.RedirectHandler("/elsewhere", http.StatusTemporaryRedirect))
	}
	http.HandleFunc(roomPath, func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		mu.Lock()
		conns[c] = true
		mu.Unlock()
		for {
			typ, b, err := c.Read(context.Background())
			if err != nil {
				return
			}
			mu.Lock()
			for to := range conns {
				if mode != "room-echo" || to == c {
					to.Write(context.Background(), typ, b)
				}
			}
			mu.Unlock()
		}
	})
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM)
	go http.ListenAndServe("127.0.0.1:"+os.Getenv("PORT"), nil)
	<-sig
	if mode == "room-abrupt" {
		return 0
	}
	code := websocket.StatusGoingAway
	if mode == "room-normal" {
		code = websocket.StatusNormalClosure
	}
	mu.Lock()
	defer mu.Unlock()
	var wg sync.WaitGroup
	for c := range conns {
		wg.Go(func() { c.Close(code, "server shutting down") })
	}
	wg.Wait()
	return 0
}

func roomPlan(t *testing.T, mode string) *Plan {
	p := serverPlan(t, mode, "")
	p.WebSocket = "/ws"
	return p
}

func TestServeExchangesAMessageThroughTheRoom(t *testing.T) {
	rs, err := run(t, context.Background(), t.TempDir(), roomPlan(t, "room"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Step != "serve" {
		t.Fatalf("results = %+v, want one serve step", rs)
	}
}

func TestServeSaysWhatTheRoomGotWrong(t *testing.T) {
	for mode, want := range map[string]string{
		"room-echo":   "and client 1 did not receive it within",
		"room-abrupt": "without a close frame",
		"room-normal": "closed a WebSocket connection with 1000 (\"server shutting down\"), want 1001 (going away)",
		// The endpoint is the one the manifest names, not where it points.
		"room-redirect": "client 1 could not connect: failed to WebSocket dial: expected handshake response status code 101 but got 307",
	} {
		t.Run(mode, func(t *testing.T) {
			_, err := run(t, context.Background(), t.TempDir(), roomPlan(t, mode))
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("err = %v, want it to say %q", err, want)
			}
		})
	}
}

func TestServeWithoutTheEndpointSaysSo(t *testing.T) {
	p := roomPlan(t, "room")
	p.WebSocket = "/nope"
	_, err := run(t, context.Background(), t.TempDir(), p)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("WebSocket %s: client 1 could not connect", p.WebSocket)) || !strings.Contains(err.Error(), "404") {
		t.Fatalf("err = %v, want it to name the endpoint and the 404", err)
	}
}

// Ctrl-C while a client waits for the room's message ends the wait at
// once, kills the server, and is reported as the interruption it is, not
// as a message that did not come.
func TestServeRoomWaitEndsAtInterrupt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		// room-echo never sends client 1 the message: it waits.
		<-time.After(1500 * time.Millisecond)
		cancel()
	}()
	start := time.Now()
	_, err := run(t, ctx, t.TempDir(), roomPlan(t, "room-echo"))
	if took := time.Since(start); took > SocketTimeout/2+2*time.Second {
		t.Errorf("verify returned %v after the interrupt", took)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if strings.Contains(err.Error(), "did not receive it within") {
		t.Errorf("an interrupt is reported as a timeout: %v", err)
	}
}
