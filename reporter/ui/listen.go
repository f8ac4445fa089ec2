package ui

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"
)

// DefaultAddr is where `assay ui` listens unless --addr says otherwise:
// this machine only.
const DefaultAddr = "127.0.0.1:8080"

// Listen opens addr for s. On a loopback address s then answers only
// requests addressed to loopback names; Exposed reports whether it
// listens beyond this machine.
func (s *Server) Listen(addr string) (ln net.Listener, exposed bool, err error) {
	ln, err = net.Listen("tcp", addr)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "listen" {
			return nil, false, fmt.Errorf("cannot listen on %s: %v; pick another port with --addr 127.0.0.1:PORT", addr, op.Err)
		}
		return nil, false, fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	tcp, ok := ln.Addr().(*net.TCPAddr)
	if ok && tcp.IP.IsLoopback() {
		s.LoopbackOnly(strconv.Itoa(tcp.Port))
		return ln, false, nil
	}
	return ln, true, nil
}

// URL is the address a browser opens for ln.
func URL(ln net.Listener) string {
	tcp, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		return "http://" + ln.Addr().String() + "/"
	}
	host := tcp.IP.String()
	if tcp.IP.IsUnspecified() || tcp.IP.IsLoopback() {
		host = "127.0.0.1"
		if tcp.IP.To4() == nil && !tcp.IP.IsUnspecified() {
			host = "[::1]"
		}
	} else if tcp.IP.To4() == nil {
		host = "[" + host + "]"
	}
	return fmt.Sprintf("http://%s:%d/", host, tcp.Port)
}

// Serve answers on ln until ctx ends, then lets requests in flight finish
// (for up to five seconds) and returns nil.
func Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		return err
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
