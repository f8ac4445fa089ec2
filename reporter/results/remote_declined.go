package results

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
)

// errDeclined is a push the remote refused for a reason other than the
// branch moving: a server hook or a protected branch said no. Trying
// again would get the same answer, so the results stay in the outbox
// until someone lets assay push.
var errDeclined = errors.New("the remote refused the push")

// declined tells a refusal (git's "pre-receive hook declined", "hook
// declined", GitHub's "protected branch hook declined") from a race lost
// to another writer ("failed to lock", "cannot lock ref"), which is
// worth another try.
func declined(r *packp.ReportStatus) bool {
	for _, c := range r.CommandStatuses {
		if strings.Contains(c.Status, "declined") {
			return true
		}
	}
	return false
}

// remoteSays keeps the end of what the remote printed during a push
// (its hooks' output, "remote: …" in git's own push), so that a refusal
// can say why.
type remoteSays struct{ b []byte }

const remoteSaysKeep = 2 << 10

func (r *remoteSays) Write(p []byte) (int, error) {
	r.b = append(r.b, p...)
	if over := len(r.b) - remoteSaysKeep; over > 0 {
		r.b = r.b[over:]
	}
	return len(p), nil
}

// text is the remote's message as lines prefixed "remote: ", or "" when it
// said nothing. Progress lines ending in \r are kept as the last state.
func (r *remoteSays) text() string {
	var out strings.Builder
	for _, line := range strings.Split(string(r.b), "\n") {
		if i := strings.LastIndexByte(strings.TrimRight(line, "\r"), '\r'); i >= 0 {
			line = line[i+1:]
		}
		if line = strings.TrimSpace(line); line != "" {
			fmt.Fprintf(&out, "\nremote: %s", line)
		}
	}
	return out.String()
}
