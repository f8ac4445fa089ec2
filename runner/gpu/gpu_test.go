package gpu

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func fakeSMI(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs("testdata/nvidia-smi")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestResolvePrecedence(t *testing.T) {
	ctx := context.Background()
	smi := fakeSMI(t)
	t.Setenv("FAKE_SMI_GPUS", "4")

	inv, err := Resolve(ctx, Options{NvidiaSMI: smi})
	if err != nil {
		t.Fatal(err)
	}
	if inv.Source != "nvidia-smi" || !cmp.Equal(inv.IDs(), []string{"0", "1", "2", "3"}) {
		t.Errorf("auto: %+v", inv)
	}
	want := Device{ID: "1", UUID: "GPU-00000001-aaaa-bbbb-cccc-ddddeeeeffff", Name: "NVIDIA H100 80GB HBM3", MemoryMiB: 81559, Driver: "550.54.15"}
	if diff := cmp.Diff(want, inv.Devices[1]); diff != "" {
		t.Errorf("device (-want +got):\n%s", diff)
	}

	inv, err = Resolve(ctx, Options{NvidiaSMI: smi, Config: []string{"2", "3"}})
	if err != nil || inv.Source != "assay.hcl" || !cmp.Equal(inv.IDs(), []string{"2", "3"}) || inv.Devices[0].Name == "" {
		t.Errorf("config: %+v %v", inv, err)
	}

	inv, err = Resolve(ctx, Options{NvidiaSMI: smi, Config: []string{"2"}, Env: "0, 1,7", EnvSet: true})
	if err != nil || inv.Source != "ASSAY_GPUS" || !cmp.Equal(inv.IDs(), []string{"0", "1", "7"}) {
		t.Errorf("env: %+v %v", inv, err)
	}
	if inv.Devices[2].Name != "" {
		t.Errorf("device 7 is unknown to nvidia-smi but got %+v", inv.Devices[2])
	}

	inv, err = Resolve(ctx, Options{NvidiaSMI: smi, Env: "none", EnvSet: true})
	if err != nil || len(inv.Devices) != 0 || inv.Source != "ASSAY_GPUS" {
		t.Errorf("none: %+v %v", inv, err)
	}
	// Empty is as if unset.
	inv, err = Resolve(ctx, Options{NvidiaSMI: smi, Env: " ", EnvSet: true})
	if err != nil || inv.Source != "nvidia-smi" {
		t.Errorf("empty env: %+v %v", inv, err)
	}
}

func TestResolveErrors(t *testing.T) {
	ctx := context.Background()
	smi := fakeSMI(t)
	if _, err := Resolve(ctx, Options{NvidiaSMI: smi, Env: "0,0", EnvSet: true}); err == nil || !strings.Contains(err.Error(), "ASSAY_GPUS: device 0 is listed twice") {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := Resolve(ctx, Options{NvidiaSMI: smi, Env: "0,,1", EnvSet: true}); err == nil || !strings.Contains(err.Error(), "not a device id") {
		t.Errorf("empty id: %v", err)
	}
	t.Setenv("FAKE_SMI_FAIL", "1")
	inv, err := Resolve(ctx, Options{NvidiaSMI: smi})
	if err == nil || !strings.Contains(err.Error(), "couldn't communicate with the NVIDIA driver") || len(inv.Devices) != 0 {
		t.Errorf("driver failure: %+v %v", inv, err)
	}
	// An explicit list does not depend on nvidia-smi working.
	if inv, err := Resolve(ctx, Options{NvidiaSMI: smi, Config: []string{"0"}}); err != nil || len(inv.Devices) != 1 {
		t.Errorf("config with failing nvidia-smi: %+v %v", inv, err)
	}
}

func TestResolveWithoutNvidiaSMI(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	inv, err := Resolve(context.Background(), Options{})
	if err != nil || inv.Source != "none" || len(inv.Devices) != 0 {
		t.Errorf("%+v %v", inv, err)
	}
}

func TestSampler(t *testing.T) {
	log := filepath.Join(t.TempDir(), "calls")
	t.Setenv("FAKE_SMI_LOG", log)
	s := NewSampler(fakeSMI(t), 5*time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	both := s.Watch([]string{"0", "1"})
	byUUID := s.Watch([]string{"GPU-00000001-aaaa-bbbb-cccc-ddddeeeeffff"})
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.mu.Lock()
		n := both.samples
		s.mu.Unlock()
		if n >= 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	st := both.Stop()
	one := byUUID.Stop()
	cancel()
	<-done
	if st.Samples < 2 || st.PeakMemoryMiB != 3000 || st.UtilMean != 45 {
		t.Errorf("both GPUs: %+v", st)
	}
	if one.Samples < 1 || one.PeakMemoryMiB != 2000 || one.UtilMean != 50 {
		t.Errorf("GPU 1 by UUID: %+v", one)
	}
	calls, _ := os.ReadFile(log)
	if !strings.Contains(string(calls), "--query-gpu="+SampleFields) {
		t.Errorf("calls: %s", calls)
	}
	// With nothing watched the sampler stays quiet, and a nil sampler is
	// a valid one that measures nothing.
	var none *Sampler
	if st := none.Watch([]string{"0"}).Stop(); st.Samples != 0 {
		t.Errorf("nil sampler: %+v", st)
	}
}
