package runner

import (
	"slices"
	"testing"

	"github.com/assaylab/assay/spec"
)

// TestCredentialNames is the filter's table, both ways: names a trial must
// not inherit, and names ML tools use that must stay.
func TestCredentialNames(t *testing.T) {
	removed := []string{
		// The 16 of the issue that slipped through the old filter.
		"PGPASSWORD", "AZURE_STORAGE_KEY", "AZURE_STORAGE_CONNECTION_STRING", "GH_PAT", "GITHUB_PAT",
		"MYSQL_PWD", "DB_PASS", "DATABASE_URL", "OPENAI_KEY", "ANTHROPIC_KEY", "HF_KEY", "WANDB_KEY",
		"KAGGLE_KEY", "SIGNING_KEY", "SLACK_WEBHOOK_URL", "AZURE_STORAGE_SAS_TOKEN",
		// What the old filter caught, still caught.
		"GITHUB_TOKEN", "GH_TOKEN", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "AWS_SECRET_ACCESS_KEY",
		"AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN", "DB_PASSWORD", "OPENAI_API_KEY", "WANDB_API_KEY",
		"GOOGLE_APPLICATION_CREDENTIALS", "AZURE_CLIENT_SECRET", "NPM_AUTH", "SSH_AUTH_SOCK",
		// Glued and lower-case forms.
		"GHTOKEN", "NPMTOKEN", "APIKEY", "OPENAIAPIKEY", "MYAPP_SECRETKEY", "github_token", "Db_Password",
		"HTPASSWD", "GPG_PASSPHRASE", "ACCESS_TOKEN1", "TOKEN", "KEY", "PASS", "SECRET",
		// Connection strings and URLs that carry a password.
		"SENTRY_DSN", "POSTGRES_URL", "REDIS_URL", "MONGODB_URI", "CELERY_BROKER_URL", "SQL_CONN_STR",
		"SESSION_COOKIE", "HTTP_AUTHORIZATION", "JWT", "SSH_KEYS",
	}
	kept := []string{
		"PATH", "HOME", "PWD", "OLDPWD", "USER", "LANG", "TERM", "SHELL", "TMPDIR", "LD_LIBRARY_PATH",
		"KEYBOARD_LAYOUT", "KEYMAP", "XKB_DEFAULT_LAYOUT", "BYPASS_CACHE", "COMPASS_HEADING",
		"TOKENIZERS_PARALLELISM", "TOKENIZER_DIR", "MAX_TOKENS", "MAX_NEW_TOKENS", "NUM_TOKENS",
		"HF_HOME", "HF_DATASETS_CACHE", "HF_HUB_OFFLINE", "HF_ENDPOINT", "TRANSFORMERS_CACHE",
		"TORCH_HOME", "WANDB_MODE", "WANDB_PROJECT", "WANDB_ENTITY", "WANDB_DIR", "MLFLOW_TRACKING_URI",
		"OMP_NUM_THREADS", "MKL_NUM_THREADS", "NCCL_DEBUG", "NCCL_SOCKET_IFNAME", "MASTER_ADDR",
		"MASTER_PORT", "WORLD_SIZE", "LOCAL_RANK", "PYTHONPATH", "PYTHONHASHSEED", "CUDA_HOME",
		"CANARY_SHIFT", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "COOKIECUTTER_CONFIG", "AWS_REGION",
		"AWS_PROFILE", "AZURE_STORAGE_ACCOUNT", "KAGGLE_USERNAME", "MONKEY_PATCH", "HOTKEYS_OFF",
		"CONSTRAINTS", "DB_HOST", "DB_NAME", "DATABASE_HOST", "GITHUB_REPOSITORY", "GITHUB_SHA",
		"PATIENCE",
	}
	for _, k := range removed {
		if !CredentialName(k) {
			t.Errorf("CredentialName(%s) = false, want true: a trial would inherit it", k)
		}
	}
	for _, k := range kept {
		if CredentialName(k) {
			t.Errorf("CredentialName(%s) = true, want false: a trial would lose it", k)
		}
	}
}

func TestInherits(t *testing.T) {
	tr := &spec.Trial{
		SecretEnv: []string{"WANDB_API_KEY", "GITHUB_TOKEN"},
		PassEnv:   []string{"PAD_TOKEN_ID", "GH_TOKEN"},
	}
	for k, want := range map[string]bool{
		"PATH": true, "HOME": true, "TOKENIZERS_PARALLELISM": true,
		"AWS_SECRET_ACCESS_KEY": false, "DB_PASSWORD": false, "OPENAI_API_KEY": false, "PGPASSWORD": false,
		"WANDB_API_KEY": true, // named in secret_env
		"PAD_TOKEN_ID":  true, // a false positive named in pass_env
		// The job's GitHub credentials, whatever the spec says (the spec
		// refuses to name them; a trial built otherwise still never gets them).
		"GITHUB_TOKEN": false, "GH_TOKEN": false, "ACTIONS_RUNTIME_TOKEN": false,
		// assay's own settings, ASSAY_SECRETS among them, and the GPU contract.
		"ASSAY_GPUS": false, "ASSAY_SECRETS": false, "CUDA_VISIBLE_DEVICES": false, "CUDA_DEVICE_ORDER": false,
	} {
		if got := Inherits(k, tr); got != want {
			t.Errorf("Inherits(%s) = %v, want %v", k, got, want)
		}
	}
}

func TestOwnCredentials(t *testing.T) {
	for store, want := range map[string][]string{
		"":                       {"GITHUB_TOKEN"},
		"file:///srv/assay":      {"GITHUB_TOKEN"},
		"s3://bucket/p?region=x": {"GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID"},
		"azblob://container":     {"GITHUB_TOKEN", "AZURE_STORAGE_KEY", "AZURE_STORAGE_CONNECTION_STRING"},
		"gs://bucket":            {"GITHUB_TOKEN", "GOOGLE_APPLICATION_CREDENTIALS"},
	} {
		own := OwnCredentials(store)
		for _, k := range want {
			if !slices.Contains(own, k) {
				t.Errorf("OwnCredentials(%q) lacks %s: %v", store, k, own)
			}
		}
		if store != "s3://bucket/p?region=x" && slices.Contains(own, "AWS_SECRET_ACCESS_KEY") {
			t.Errorf("OwnCredentials(%q) withholds AWS keys from trials though the store is not on S3", store)
		}
	}
}
