package main

import (
	"bytes"
	"strings"
	"testing"
)

// A stream as go test -json writes it: a passing test, a skipped one, a
// testscript script that skips and then logs its script, a failing
// subtest and the package lines.
const stream = `{"Action":"start","Package":"p"}
{"Action":"run","Package":"p","Test":"TestOK"}
{"Action":"output","Package":"p","Test":"TestOK","Output":"=== RUN   TestOK\n"}
{"Action":"output","Package":"p","Test":"TestOK","Output":"    ok_test.go:3: chatter\n"}
{"Action":"output","Package":"p","Test":"TestOK","Output":"--- PASS: TestOK (0.00s)\n"}
{"Action":"pass","Package":"p","Test":"TestOK"}
{"Action":"output","Package":"p","Test":"TestGPU","Output":"=== RUN   TestGPU\n"}
{"Action":"output","Package":"p","Test":"TestGPU","Output":"    gpu_test.go:9: nvidia-smi not on PATH;\n"}
{"Action":"output","Package":"p","Test":"TestGPU","Output":"        install the driver\n"}
{"Action":"output","Package":"p","Test":"TestGPU","Output":"--- SKIP: TestGPU (0.00s)\n"}
{"Action":"skip","Package":"p","Test":"TestGPU"}
{"Action":"output","Package":"p","Test":"TestScripts/slurm","Output":"    cmd.go:380: no test Slurm cluster\n"}
{"Action":"output","Package":"p","Test":"TestScripts/slurm","Output":"    testscript.go:609: WORK=$WORK\n"}
{"Action":"output","Package":"p","Test":"TestScripts/slurm","Output":"        PATH=/bin\n"}
{"Action":"output","Package":"p","Test":"TestScripts/slurm","Output":"    --- SKIP: TestScripts/slurm (0.02s)\n"}
{"Action":"skip","Package":"p","Test":"TestScripts/slurm"}
{"Action":"output","Package":"p","Test":"TestBad/sub","Output":"=== RUN   TestBad/sub\n"}
{"Action":"output","Package":"p","Test":"TestBad/sub","Output":"    bad_test.go:5: boom\n"}
{"Action":"output","Package":"p","Test":"TestBad/sub","Output":"    --- FAIL: TestBad/sub (0.00s)\n"}
{"Action":"fail","Package":"p","Test":"TestBad/sub"}
{"Action":"output","Package":"p","Output":"FAIL\n"}
{"Action":"output","Package":"p","Output":"FAIL\tp\t0.01s\n"}
{"Action":"fail","Package":"p"}
{"Action":"output","Package":"q","Output":"PASS\n"}
{"Action":"output","Package":"q","Output":"ok  \tq\t0.01s\n"}
{"Action":"pass","Package":"q"}
`

func TestSummarize(t *testing.T) {
	var out bytes.Buffer
	s := summarize(strings.NewReader(stream), &out)
	want := `SKIP  p  TestGPU: gpu_test.go:9: nvidia-smi not on PATH; install the driver
SKIP  p  TestScripts/slurm: cmd.go:380: no test Slurm cluster
    --- FAIL: TestBad/sub (0.00s)
    bad_test.go:5: boom
FAIL
FAIL	p	0.01s
ok  	q	0.01s
`
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
	if s.skipped != 2 {
		t.Errorf("skipped = %d, want 2", s.skipped)
	}
}
