package runner

import (
	"testing"

	"github.com/assaylab/assay/spec"
)

func TestInherits(t *testing.T) {
	tr := &spec.Trial{SecretEnv: []string{"WANDB_API_KEY"}}
	for k, want := range map[string]bool{
		"PATH": true, "HOME": true, "CANARY_SHIFT": true, "TOKENIZER_DIR": true,
		"GITHUB_TOKEN": false, "AWS_SECRET_ACCESS_KEY": false, "DB_PASSWORD": false, "OPENAI_API_KEY": false,
		"WANDB_API_KEY": true, // named in secret_env
		"ASSAY_GPUS":    false, "CUDA_VISIBLE_DEVICES": false, "CUDA_DEVICE_ORDER": false,
	} {
		if got := Inherits(k, tr); got != want {
			t.Errorf("Inherits(%s) = %v, want %v", k, got, want)
		}
	}
}
