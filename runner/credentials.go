package runner

import (
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/assaylab/assay/spec"
)

// credentialRules match variable names that look like credentials,
// anywhere in the name, case-insensitively (names are upper-cased first).
// docs/run.md lists them; TestCredentialNames holds a table of names
// both ways. A false positive is passed with pass_env.
var credentialRules = []*regexp.Regexp{
	// Words that mean a secret wherever they stand: PGPASSWORD,
	// CLIENT_SECRET, AWS_SHARED_CREDENTIALS_FILE, SLACK_WEBHOOK_URL.
	regexp.MustCompile(`SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|WEBHOOK|AUTHORIZATION|CONN(ECTION)?_?STR(ING)?`),
	// TOKEN anywhere unless a letter follows it, so HF_TOKEN, GHTOKEN
	// and ACCESS_TOKEN1 match but TOKENIZERS_PARALLELISM, TOKENIZER_DIR
	// and MAX_TOKENS (counts of text tokens, common in ML) do not.
	regexp.MustCompile(`TOKEN([^A-Z]|$)`),
	// Whole words between underscores: DB_PASS, MYSQL_PWD, GH_PAT,
	// HF_KEY, AWS_ACCESS_KEY_ID, SSH_AUTH_SOCK, SENTRY_DSN, SESSION_COOKIE.
	// KEYBOARD_LAYOUT, BYPASS_CACHE and COOKIECUTTER_CONFIG do not match; neither does PWD itself (the shell's
	// working directory), since PWD counts only after another word.
	regexp.MustCompile(`(^|_)(KEYS?|PASS|PAT|AUTH|DSN|JWT|COOKIES?)(_|$)|_PWD(_|$)`),
	// A key glued to what it opens: APIKEY, OPENAIAPIKEY, SIGNINGKEY.
	regexp.MustCompile(`(API|ACCESS|PRIVATE|SIGNING|MASTER|ACCOUNT|ENCRYPTION|AUTH)_?KEY`),
	// Connection URLs of databases and brokers, which carry a password:
	// DATABASE_URL, POSTGRES_URI, REDIS_URL, CELERY_BROKER_URL.
	regexp.MustCompile(`(^|_)(DATABASE|DB|POSTGRES|POSTGRESQL|PG|MYSQL|MARIADB|MONGO|MONGODB|REDIS|AMQP|RABBITMQ|BROKER)_UR[IL](_|$)`),
}

// CredentialName reports whether the variable name k looks like a
// credential: such variables reach a trial only when its experiment names
// them in secret_env (or, for a false positive, in pass_env).
func CredentialName(k string) bool {
	u := strings.ToUpper(k)
	for _, r := range credentialRules {
		if r.MatchString(u) {
			return true
		}
	}
	return false
}

// storeCredentials are the variables each cloud's SDK reads its
// credentials from, by the scheme of an artifact store URL.
var storeCredentials = map[string][]string{
	"s3": {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_AUTHORIZATION_TOKEN"},
	"gs": {"GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_OAUTH_ACCESS_TOKEN", "CLOUDSDK_AUTH_ACCESS_TOKEN"},
	"azblob": {"AZURE_STORAGE_KEY", "AZURE_STORAGE_SAS_TOKEN", "AZURE_STORAGE_CONNECTION_STRING",
		"AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PASSWORD", "AZURE_FEDERATED_TOKEN_FILE"},
}

// OwnCredentials are the variables that hold assay's own credentials for
// a project whose artifact store is storeURL ("" for the default local
// store): the GitHub job's tokens, and the credentials of the cloud that
// holds the store. A trial never gets them, not even through secret_env
// or pass_env: a trial that needs that cloud too is given a key of its
// own under another name (or a role of the machine).
func OwnCredentials(storeURL string) []string {
	own := slices.Clone(spec.GitHubCredentials)
	if u, err := url.Parse(storeURL); err == nil {
		own = append(own, storeCredentials[u.Scheme]...)
	}
	return own
}
