package local

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
)

// SupervisorArg, as assay's first argument, makes the process the
// supervisor of a batch's trials: cmd/assay hands such an invocation to
// Supervise before anything else.
const SupervisorArg = "__supervise-trials"

// supMsg is one message between assay and the supervisor of its trials,
// over a Unix socket: a 4-byte big-endian length, then JSON. A "start"
// carries the trial's stdout and stderr as two descriptors (SCM_RIGHTS).
//
//	assay → supervisor: start (ID, Argv, Env, Dir, Marker), term, kill
//	supervisor → assay: started (ID, PID, Mode), failed (ID, Error),
//	                    exit (ID, Code, Signalled) once the trial's whole
//	                    tree has ended
type supMsg struct {
	Op        string   `json:"op"`
	ID        int      `json:"id"`
	Argv      []string `json:"argv,omitempty"`
	Env       []string `json:"env,omitempty"`
	Dir       string   `json:"dir,omitempty"`
	Marker    string   `json:"marker,omitempty"`
	PID       int      `json:"pid,omitempty"`
	Mode      string   `json:"mode,omitempty"`
	Error     string   `json:"error,omitempty"`
	Code      int      `json:"code,omitempty"`
	Signalled bool     `json:"signalled,omitempty"`
	// fds are the descriptors that came with a start.
	fds []int
}

// maxMsg bounds one message (an environment is at most a few MiB).
const maxMsg = 64 << 20

// sendMsg writes m, with files as its descriptors.
func sendMsg(c *net.UnixConn, m supMsg, files ...*os.File) error {
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	frame := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(body)), uint32(len(body)))
	frame = append(frame, body...)
	var oob []byte
	if len(files) > 0 {
		fds := make([]int, len(files))
		for i, f := range files {
			fds[i] = int(f.Fd())
		}
		oob = syscall.UnixRights(fds...)
	}
	n, _, err := c.WriteMsgUnix(frame, oob, nil)
	if err == nil && n < len(frame) {
		_, err = c.Write(frame[n:])
	}
	return err
}

// msgReader reads messages, keeping descriptors in the order they came:
// the kernel hands them over with the first byte of the message they were
// sent with, so they are queued before that message is complete.
type msgReader struct {
	c   *net.UnixConn
	buf []byte
	fds []int
}

func (r *msgReader) next() (supMsg, error) {
	chunk := make([]byte, 64<<10)
	oob := make([]byte, syscall.CmsgSpace(16*4))
	for {
		if len(r.buf) >= 4 {
			n := int(binary.BigEndian.Uint32(r.buf))
			if n > maxMsg {
				return supMsg{}, fmt.Errorf("supervisor message of %d bytes", n)
			}
			if len(r.buf) >= 4+n {
				var m supMsg
				err := json.Unmarshal(r.buf[4:4+n], &m)
				r.buf = r.buf[4+n:]
				if err != nil {
					return supMsg{}, err
				}
				if m.Op == "start" {
					if len(r.fds) < 2 {
						return supMsg{}, errors.New("a start without its stdout and stderr")
					}
					m.fds, r.fds = r.fds[:2:2], r.fds[2:]
				}
				return m, nil
			}
		}
		n, oobn, _, _, err := r.c.ReadMsgUnix(chunk, oob)
		if oobn > 0 {
			if cms, perr := syscall.ParseSocketControlMessage(oob[:oobn]); perr == nil {
				for _, cm := range cms {
					if fds, ferr := syscall.ParseUnixRights(&cm); ferr == nil {
						for _, fd := range fds {
							syscall.CloseOnExec(fd)
						}
						r.fds = append(r.fds, fds...)
					}
				}
			}
		}
		// n is -1 when the read failed (the connection closed under it).
		if n > 0 {
			r.buf = append(r.buf, chunk[:n]...)
		}
		if err != nil {
			return supMsg{}, err
		}
	}
}
