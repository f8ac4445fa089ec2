package collect

import (
	"net/http"
	"path"
	"strings"
)

// mediaTypes are the types of the files ML runs keep, by extension. A
// fixed table, not the system's mime.types, so a record says the same on
// every machine.
var mediaTypes = map[string]string{
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
	".svg": "image/svg+xml", ".webp": "image/webp",
	".json": "application/json", ".jsonl": "application/jsonl", ".csv": "text/csv",
	".tsv": "text/tab-separated-values", ".txt": "text/plain; charset=utf-8", ".log": "text/plain; charset=utf-8",
	".md": "text/markdown; charset=utf-8", ".html": "text/html; charset=utf-8", ".yaml": "application/yaml",
	".yml": "application/yaml", ".toml": "application/toml", ".pdf": "application/pdf",
	".gz": "application/gzip", ".tgz": "application/gzip", ".zip": "application/zip", ".tar": "application/x-tar",
	".zst": "application/zstd", ".parquet": "application/vnd.apache.parquet",
	".pt": "application/octet-stream", ".pth": "application/octet-stream", ".ckpt": "application/octet-stream",
	".safetensors": "application/octet-stream", ".bin": "application/octet-stream", ".onnx": "application/octet-stream",
	".npy": "application/octet-stream", ".npz": "application/zip", ".h5": "application/x-hdf5",
	".pkl": "application/octet-stream",
}

// MediaType is the type of a file named name whose first bytes are head:
// by extension where the table knows it, else sniffed from the bytes.
func MediaType(name string, head []byte) string {
	if t, ok := mediaTypes[strings.ToLower(path.Ext(name))]; ok {
		return t
	}
	return http.DetectContentType(head)
}
