package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"syscall"

	"github.com/coder/websocket"
)

// The WebSocket room every built-in service has when realtime is true,
// checked from outside on the built server: what its README promises
// about the endpoint, its limits, its Origin check and its shutdown.
// scaffold verify has already exchanged a message through it.

const (
	wsPath = "/v1/ws"
	// wsMaxMessage is the largest message the room takes.
	wsMaxMessage = 64 << 10
	// wsOrigin is the origin the check allows with WS_ALLOWED_ORIGINS.
	wsOrigin = "https://app.example.com"
)

// checkSocket checks the endpoint of a project with realtime on, and
// that a project with it off has none.
func checkSocket(c *contract, on bool) {
	t := c.t
	if !on {
		s := c.start()
		c.problem("GET "+wsPath+" with realtime off", c.do(s, "GET", wsPath, "", ""), 404)
		return
	}
	for _, bad := range []string{"https://app.example.com/path", "ftp://app.example.com", "not an origin", "https://user@app.example.com"} {
		c.badSetting("WS_ALLOWED_ORIGINS", bad)
	}
	s := c.start("WS_ALLOWED_ORIGINS=http://localhost:5173, " + wsOrigin)
	ws := "ws" + strings.TrimPrefix(s.base, "http") + wsPath

	r := c.do(s, "GET", wsPath, "", "")
	c.problem("GET "+wsPath+" without an upgrade", r, 426)
	if up := r.header.Get("Upgrade"); !strings.EqualFold(up, "websocket") {
		c.fail("GET %s without an upgrade answered Upgrade %q, want websocket", wsPath, up)
	}

	// The Origin check: a browser page elsewhere may not connect.
	for _, origin := range []string{"https://evil.example", "https://app.example.com.evil.example", "null"} {
		conn, resp, err := c.dial(ws, origin)
		if err == nil {
			conn.CloseNow()
			c.fail("a client from Origin %s was let in, want 403", origin)
			continue
		}
		if resp == nil {
			c.fail("a client from Origin %s got no answer: %v", origin, err)
			continue
		}
		c.problem("the upgrade from Origin "+origin, responseOf(resp), 403)
	}
	for _, origin := range []string{"", wsOrigin, "HTTPS://APP.EXAMPLE.COM", s.base} {
		conn, _, err := c.dial(ws, origin)
		if err != nil {
			c.fail("a client from Origin %q was refused: %v", origin, err)
			continue
		}
		conn.CloseNow()
	}

	// The room: what one sends, every client gets, the sender too.
	a := c.join(ws)
	defer a.CloseNow()
	c.roundTrip("a message", a, strings.Repeat("a", 10), a)
	// b joins once a's first message has gone round: whether a room that
	// had b already would send it to b too is a race, so b gets only what
	// is sent from here on.
	b := c.join(ws)
	defer b.CloseNow()
	c.roundTrip("a message", b, "from b", b, a)
	c.roundTrip("a message", a, "from a", a, b)
	c.roundTrip("a message of the largest size", a, strings.Repeat("x", wsMaxMessage), a, b)

	// Over the limit, or binary: that client is closed, the room goes on.
	big := c.join(ws)
	defer big.CloseNow()
	c.send(big, websocket.MessageText, strings.Repeat("y", wsMaxMessage+1))
	c.closedWith("a client that sent one byte over 64 KiB", big, websocket.StatusMessageTooBig)
	bin := c.join(ws)
	defer bin.CloseNow()
	c.send(bin, websocket.MessageBinary, "\x00\x01")
	c.closedWith("a client that sent a binary message", bin, websocket.StatusUnsupportedData)
	c.roundTrip("a message after two clients were closed", b, "still here", a, b)

	// Shutdown: each client gets close 1001 at once, and the server
	// exits 0 well inside its budget.
	if err := s.cmd.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	c.closedWith("on SIGTERM, a connected client", a, websocket.StatusGoingAway)
	c.closedWith("on SIGTERM, a connected client", b, websocket.StatusGoingAway)
	if code, err := s.wait(exitWithin); err != nil || code != 0 {
		c.fail("after SIGTERM with clients connected the server ended with code %d, %v; want 0\n%s", code, err, s.out)
	}
}

func (c *contract) dial(url, origin string) (*websocket.Conn, *http.Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), exitWithin)
	defer cancel()
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	conn, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: h})
	if conn != nil {
		conn.SetReadLimit(2 * wsMaxMessage)
	}
	return conn, resp, err
}

func (c *contract) join(url string) *websocket.Conn {
	c.t.Helper()
	conn, _, err := c.dial(url, "")
	if err != nil {
		c.t.Fatalf("%s: contract: WebSocket %s: %v", c.where, wsPath, err)
	}
	return conn
}

func (c *contract) send(conn *websocket.Conn, typ websocket.MessageType, msg string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), exitWithin)
	defer cancel()
	if err := conn.Write(ctx, typ, []byte(msg)); err != nil {
		c.t.Fatalf("%s: contract: WebSocket %s: sending: %v", c.where, wsPath, err)
	}
}

// roundTrip sends msg from one client and expects it on each of to. A
// client is in the room once its own message came back, so the callers
// let each client send before expecting others to reach it; a receiver
// that joined earlier may first get earlier messages, which are passed.
func (c *contract) roundTrip(what string, from *websocket.Conn, msg string, to ...*websocket.Conn) {
	c.t.Helper()
	c.send(from, websocket.MessageText, msg)
	for i, conn := range to {
		ctx, cancel := context.WithTimeout(context.Background(), exitWithin)
		err := receive(ctx, conn, msg)
		cancel()
		if err != nil {
			c.fail("%s (%d bytes): receiver %d %v", what, len(msg), i+1, err)
		}
	}
}

// receive reads from conn until the text message msg, passing at most a
// few others.
func receive(ctx context.Context, conn *websocket.Conn, msg string) error {
	for range 8 {
		typ, got, err := conn.Read(ctx)
		if err != nil {
			return fmt.Errorf("got none: %v", err)
		}
		if typ == websocket.MessageText && string(got) == msg {
			return nil
		}
	}
	return errors.New("got other messages, and not it")
}

// closedWith expects the server to close conn with code.
func (c *contract) closedWith(what string, conn *websocket.Conn, code websocket.StatusCode) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), exitWithin)
	defer cancel()
	for {
		_, _, err := conn.Read(ctx)
		if err == nil {
			continue // a message of the room, sent before the close
		}
		switch got := websocket.CloseStatus(err); {
		case got == code:
		case got == -1:
			c.fail("%s: the connection ended without a close frame (%v), want close %d", what, err, code)
		default:
			c.fail("%s: closed with %d, want %d", what, got, code)
		}
		return
	}
}

func responseOf(resp *http.Response) *response {
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil && !errors.Is(err, io.EOF) {
		b = fmt.Appendf(b, "(reading the body: %v)", err)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: b}
}
