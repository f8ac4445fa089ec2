package slurm

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/assaylab/assay/runner"
)

// readGPUUse fills a GPU trial's system information from what the wrapper
// asked the node's nvidia-smi (gpus.csv: the runner/gpu inventory query;
// gpu-samples.csv: its sample query, one block per sample, blocks
// separated by blank lines). Rows of devices the job does not own are
// skipped; nothing is filled when the node has no nvidia-smi.
func readGPUUse(dir string, res *runner.Result) {
	mine := func(index, uuid string) bool {
		return slices.Contains(res.GPUs, index) || slices.Contains(res.GPUs, uuid)
	}
	var models []string
	eachRow(filepath.Join(dir, gpusName), func(f []string) {
		// index, uuid, name, memory.total, driver_version
		if len(f) < 5 || !mine(f[0], f[1]) {
			return
		}
		if !slices.Contains(models, f[2]) {
			models = append(models, f[2])
		}
		res.System.GPUDriver = f[4]
	})
	res.System.GPUModel = strings.Join(models, ", ")

	var utilSum, memNow, memPeak float64
	utilN, samples, rows := 0, 0, 0
	endSample := func() {
		if rows > 0 {
			samples++
			memPeak = max(memPeak, memNow)
		}
		memNow, rows = 0, 0
	}
	eachRow(filepath.Join(dir, samplesName), func(f []string) {
		if len(f) == 0 {
			endSample()
			return
		}
		// index, uuid, utilization.gpu, memory.used
		if len(f) < 4 || !mine(f[0], f[1]) {
			return
		}
		if u, err := strconv.ParseFloat(f[2], 64); err == nil {
			utilSum += u
			utilN++
		}
		if m, err := strconv.ParseFloat(f[3], 64); err == nil {
			memNow += m
			rows++
		}
	})
	endSample()
	if samples > 0 {
		res.System.GPUPeakMemoryMiB = memPeak
	}
	if utilN > 0 {
		res.System.GPUUtilMean = utilSum / float64(utilN)
	}
}

// eachRow calls fn with the comma-separated, trimmed fields of each line
// of a CSV file nvidia-smi wrote; a blank line gives no fields.
func eachRow(path string, fn func([]string)) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			fn(nil)
			continue
		}
		parts := strings.Split(line, ",")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		fn(parts)
	}
}
