// Package gpu finds the GPUs a machine has and samples their use while
// trials run, through nvidia-smi.
//
// The inventory comes from, in order: the ASSAY_GPUS environment variable
// ("0,1"; "none" for no GPUs; empty counts as unset, as CI templating
// leaves it), the gpus list of executor "local"
// in assay.hcl, or nvidia-smi (gpus = "auto", the default). The first two
// make the scheduler usable, and testable, on a machine with no GPU.
// nvidia-smi, when it is on PATH, still names the model and driver and
// provides utilisation samples for the devices it knows.
//
// Device ids are what CUDA_VISIBLE_DEVICES receives: nvidia-smi's index by
// default. The local executor also sets CUDA_DEVICE_ORDER=PCI_BUS_ID,
// because CUDA numbers devices fastest-first unless told otherwise, and
// only PCI bus order agrees with nvidia-smi's index.
package gpu

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Device is one GPU.
type Device struct {
	// ID is what CUDA_VISIBLE_DEVICES receives for this device.
	ID        string
	UUID      string
	Name      string
	MemoryMiB int
	Driver    string
}

// Inventory is the GPUs this machine hands out to trials.
type Inventory struct {
	Devices []Device
	// Source says where the list came from: "ASSAY_GPUS", "assay.hcl",
	// "nvidia-smi", or "none" (auto, and no nvidia-smi found).
	Source string
}

// IDs are the device ids in inventory order.
func (inv Inventory) IDs() []string {
	ids := make([]string, len(inv.Devices))
	for i, d := range inv.Devices {
		ids[i] = d.ID
	}
	return ids
}

// Device returns the device with the given id (or UUID).
func (inv Inventory) Device(id string) (Device, bool) {
	for _, d := range inv.Devices {
		if d.ID == id || (d.UUID != "" && d.UUID == id) {
			return d, true
		}
	}
	return Device{}, false
}

// Options say where the inventory may come from.
type Options struct {
	// Env is the value of ASSAY_GPUS and EnvSet whether it is set at all.
	Env    string
	EnvSet bool
	// Config is executor "local" { gpus = [...] }; nil means "auto".
	Config []string
	// NvidiaSMI is the nvidia-smi to run; "" looks it up on PATH.
	NvidiaSMI string
}

// QueryFields are what the inventory asks nvidia-smi for.
const QueryFields = "index,uuid,name,memory.total,driver_version"

// Resolve returns the inventory. A warning (not an error) comes back when
// nvidia-smi exists but fails: the machine then has no GPUs to hand out,
// which the caller should say.
func Resolve(ctx context.Context, opts Options) (Inventory, error) {
	smi := opts.NvidiaSMI
	if smi == "" {
		smi, _ = exec.LookPath("nvidia-smi")
	}
	var found []Device
	var smiErr error
	if smi != "" {
		found, smiErr = Query(ctx, smi)
	}
	known := Inventory{Devices: found}
	describe := func(ids []string, source string) Inventory {
		inv := Inventory{Source: source, Devices: []Device{}}
		for _, id := range ids {
			d, ok := known.Device(id)
			if !ok {
				d = Device{ID: id}
			}
			d.ID = id
			inv.Devices = append(inv.Devices, d)
		}
		return inv
	}
	switch {
	case opts.EnvSet && strings.TrimSpace(opts.Env) != "":
		ids, err := ParseList(opts.Env)
		if err != nil {
			return Inventory{}, fmt.Errorf("ASSAY_GPUS: %w", err)
		}
		return describe(ids, "ASSAY_GPUS"), nil
	case opts.Config != nil:
		if err := checkIDs(opts.Config); err != nil {
			return Inventory{}, fmt.Errorf(`executor "local" gpus: %w`, err)
		}
		return describe(opts.Config, "assay.hcl"), nil
	case smi == "":
		return Inventory{Source: "none", Devices: []Device{}}, nil
	case smiErr != nil:
		return Inventory{Source: "nvidia-smi", Devices: []Device{}}, smiErr
	default:
		return Inventory{Source: "nvidia-smi", Devices: found}, nil
	}
}

// ParseList reads a comma-separated device list such as "0,1"; "" and
// "none" mean no GPUs.
func ParseList(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "none" {
		return []string{}, nil
	}
	var ids []string
	for _, p := range strings.Split(s, ",") {
		ids = append(ids, strings.TrimSpace(p))
	}
	return ids, checkIDs(ids)
}

func checkIDs(ids []string) error {
	seen := map[string]bool{}
	for _, id := range ids {
		if id == "" || strings.ContainsAny(id, ", \t") {
			return fmt.Errorf("%q is not a device id; write ids such as 0,1 (or GPU UUIDs)", id)
		}
		if seen[id] {
			return fmt.Errorf("device %s is listed twice", id)
		}
		seen[id] = true
	}
	return nil
}

// Query asks nvidia-smi for the machine's GPUs.
func Query(ctx context.Context, smi string) ([]Device, error) {
	rows, err := query(ctx, smi, QueryFields)
	if err != nil {
		return nil, err
	}
	devs := make([]Device, 0, len(rows))
	for _, r := range rows {
		if len(r) < 5 {
			return nil, fmt.Errorf("nvidia-smi: unexpected line %q", strings.Join(r, ", "))
		}
		mem, _ := strconv.Atoi(r[3])
		devs = append(devs, Device{ID: r[0], UUID: r[1], Name: r[2], MemoryMiB: mem, Driver: r[4]})
	}
	return devs, nil
}

// query runs nvidia-smi --query-gpu=fields --format=csv,noheader,nounits
// and splits its lines.
func query(ctx context.Context, smi, fields string) ([][]string, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, smi, "--query-gpu="+fields, "--format=csv,noheader,nounits")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = strings.TrimSpace(string(out))
		}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			msg = "no answer in 20s"
		}
		return nil, fmt.Errorf("nvidia-smi failed (%v): %s", err, firstLine(msg))
	}
	var rows [][]string
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		parts := strings.Split(line, ",")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		rows = append(rows, parts)
	}
	return rows, nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
