package source

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/go-git/go-git/v5/plumbing/transport"
	"golang.org/x/net/proxy"
)

// go-git's ssh transport dials with no context and then runs the ssh
// handshake with no deadline at all: a server that accepts the
// connection and never sends its banner (or stalls in the key exchange,
// or an agent that never answers) would hold the fetch past the idle
// timeout and past Ctrl-C. Its one way in is the proxy dialer it looks up
// by URL scheme; scaffold gives every ssh fetch a "proxy" URL naming a
// dialer of its own, which dials as go-git would (through the
// environment's proxy, if any) and closes the connection when the
// fetch's context ends, which ends any read the handshake is stuck in.

const ctxDialScheme = "scaffold-ctx-dial"

var (
	ctxDialOnce sync.Once
	ctxDialMu   sync.Mutex
	ctxDials    = map[string]*ctxDialer{}
	ctxDialSeq  atomic.Int64
)

// ctxDialer dials connections that close when ctx ends.
type ctxDialer struct{ ctx context.Context }

// dialWithin returns the proxy options that make go-git's ssh transport
// dial through a ctxDialer of ctx, and release, to call when the fetch
// is done.
func dialWithin(ctx context.Context) (transport.ProxyOptions, func()) {
	ctxDialOnce.Do(func() {
		proxy.RegisterDialerType(ctxDialScheme, func(u *url.URL, _ proxy.Dialer) (proxy.Dialer, error) {
			ctxDialMu.Lock()
			d := ctxDials[u.Host]
			ctxDialMu.Unlock()
			if d == nil {
				return nil, errors.New("ssh dial outside of its fetch")
			}
			return d, nil
		})
	})
	id := strconv.FormatInt(ctxDialSeq.Add(1), 10)
	ctxDialMu.Lock()
	ctxDials[id] = &ctxDialer{ctx: ctx}
	ctxDialMu.Unlock()
	return transport.ProxyOptions{URL: ctxDialScheme + "://" + id}, func() {
		ctxDialMu.Lock()
		delete(ctxDials, id)
		ctxDialMu.Unlock()
	}
}

func (d *ctxDialer) Dial(network, addr string) (net.Conn, error) {
	return d.DialContext(d.ctx, network, addr)
}

// DialContext dials as go-git does without a proxy option (honouring
// ALL_PROXY and NO_PROXY), bounded by both contexts.
func (d *ctxDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stopDial := context.AfterFunc(d.ctx, cancel)
	defer stopDial()
	conn, err := proxy.Dial(ctx, network, addr)
	if err != nil {
		if d.ctx.Err() != nil {
			return nil, context.Cause(d.ctx)
		}
		return nil, err
	}
	stop := context.AfterFunc(d.ctx, func() { conn.Close() })
	return &ctxConn{Conn: conn, stop: stop}, nil
}

type ctxConn struct {
	net.Conn
	stop func() bool
}

func (c *ctxConn) Close() error {
	c.stop()
	return c.Conn.Close()
}
