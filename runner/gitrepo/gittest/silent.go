package gittest

import (
	"net"
	"sync"
)

// Silent is a remote that accepts TCP connections and never answers,
// like a git server whose process hangs or a firewall that swallows
// packets after the handshake: what network deadlines exist for.
type Silent struct {
	// Addr is its host:port.
	Addr string

	l     net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

// StartSilent listens on a free loopback port; Stop closes the listener
// and every connection it accepted.
func StartSilent() (*Silent, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Silent{Addr: l.Addr().String(), l: l}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns = append(s.conns, c)
			s.mu.Unlock()
		}
	}()
	return s, nil
}

// Stop closes the listener and the connections it holds open.
func (s *Silent) Stop() {
	s.l.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		c.Close()
	}
}
