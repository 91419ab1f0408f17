package verify

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/coder/websocket"
)

// The bounds of the WebSocket check. The server is the project's code,
// from a template that may not be trusted: every wait has a deadline and
// every message read is bounded.
const (
	// SocketTimeout bounds the handshake and each wait for a message.
	SocketTimeout = 10 * time.Second
	// socketReadLimit bounds one message the server sends.
	socketReadLimit = 1 << 20
	// socketSkip is how many other messages may come before the one
	// sent; a room may greet its clients or announce them.
	socketSkip = 16
)

// sockets are the two clients the serve step keeps open on the server's
// WebSocket endpoint while it stops the server.
type sockets struct {
	conns [2]*websocket.Conn
	// closed receives, once for each client, how its connection ended:
	// nil for a close frame with 1001 (going away).
	closed chan error
}

// openSockets connects two clients to the endpoint at path and expects
// the room to send each message, unchanged, to every client, the sender
// included. A client cannot know when the server has added it to the
// room, only that it has once its own message comes back; so each sends
// one in turn before the first sends one more that both must receive.
func openSockets(ctx context.Context, port int, path string) (*sockets, error) {
	url := fmt.Sprintf("ws://127.0.0.1:%d%s", port, path)
	s := &sockets{closed: make(chan error, 2)}
	fail := func(format string, args ...any) (*sockets, error) {
		s.abort()
		if ctx.Err() != nil {
			// Interrupted: whatever the wait was, it did not fail.
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("WebSocket %s: "+format, append([]any{path}, args...)...)
	}
	token := make([]byte, 8)
	rand.Read(token)
	for i := range s.conns {
		c, err := dial(ctx, url)
		if err != nil {
			return fail("client %d could not connect: %v", i+1, err)
		}
		c.SetReadLimit(socketReadLimit)
		s.conns[i] = c
	}
	// from sends a message from client i; to are the clients that must
	// receive it.
	steps := []struct {
		from int
		to   []int
	}{{0, []int{0}}, {1, []int{1, 0}}, {0, []int{0, 1}}}
	for n, st := range steps {
		msg := fmt.Sprintf("scaffold verify %x %d", token, n+1)
		wctx, cancel := context.WithTimeout(ctx, SocketTimeout)
		err := s.conns[st.from].Write(wctx, websocket.MessageText, []byte(msg))
		cancel()
		if err != nil {
			return fail("client %d could not send a message: %v", st.from+1, err)
		}
		for _, i := range st.to {
			if err := expect(ctx, s.conns[i], msg); err != nil {
				return fail("client %d sent %q, and client %d %v", st.from+1, msg, i+1, err)
			}
		}
	}
	for _, c := range s.conns {
		go func() { s.closed <- goingAway(ctx, c) }()
	}
	return s, nil
}

func dial(ctx context.Context, url string) (*websocket.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, SocketTimeout)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPClient: toServer})
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	return c, err
}

// expect reads from c until the text message msg comes.
func expect(ctx context.Context, c *websocket.Conn, msg string) error {
	rctx, cancel := context.WithTimeout(ctx, SocketTimeout)
	defer cancel()
	for range socketSkip + 1 {
		typ, b, err := c.Read(rctx)
		switch {
		case ctx.Err() != nil:
			// The run was interrupted: no timeout to blame the server for.
			return ctx.Err()
		case errors.Is(err, context.DeadlineExceeded) || rctx.Err() != nil:
			return fmt.Errorf("did not receive it within %v", SocketTimeout)
		case websocket.CloseStatus(err) != -1:
			return fmt.Errorf("was closed by the server with %s before receiving it", closeText(err))
		case err != nil:
			return fmt.Errorf("lost its connection before receiving it: %v", err)
		case typ == websocket.MessageText && string(b) == msg:
			return nil
		}
	}
	return fmt.Errorf("received %d other messages, and not it", socketSkip+1)
}

// goingAway reads from c until its connection ends, and says how it
// ended unless that was a close frame with 1001 (going away), what a
// server sends its clients when it shuts down.
func goingAway(ctx context.Context, c *websocket.Conn) error {
	for {
		_, _, err := c.Read(ctx)
		if err == nil {
			continue
		}
		switch websocket.CloseStatus(err) {
		case websocket.StatusGoingAway:
			return nil
		case -1:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("the server ended a WebSocket connection without a close frame (%v); on SIGTERM it should send each client close 1001 (going away)", err)
		default:
			return fmt.Errorf("on SIGTERM the server closed a WebSocket connection with %s, want 1001 (going away)", closeText(err))
		}
	}
}

// wait returns the first error of the two clients' ends, or the context's
// when they have not both ended by then.
func (s *sockets) wait(ctx context.Context) error {
	for range s.conns {
		select {
		case err := <-s.closed:
			if err != nil {
				return err
			}
		case <-ctx.Done():
			return errors.New("a WebSocket connection was still open after the server exited")
		}
	}
	return nil
}

// abort drops every connection at once, without a close handshake.
func (s *sockets) abort() {
	for _, c := range s.conns {
		if c != nil {
			c.CloseNow()
		}
	}
}

func closeText(err error) string {
	var ce websocket.CloseError
	if !errors.As(err, &ce) {
		return err.Error()
	}
	if ce.Reason != "" {
		return fmt.Sprintf("%d (%q)", int(ce.Code), ce.Reason)
	}
	return fmt.Sprintf("%d", int(ce.Code))
}
