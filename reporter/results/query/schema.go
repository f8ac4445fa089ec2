package query

import (
	"reflect"
	"time"
)

// Schema names each field an expression may read and its kind: "string",
// "int", "int64", "float", "time", or "map" (params and metrics, whose
// values are numbers, strings, booleans or lists as the records hold
// them). It is
// derived from Env, so a checker elsewhere (the results site's search,
// which evaluates expressions in the browser) types expressions as this
// package does.
func Schema() map[string]string {
	out := map[string]string{}
	t := reflect.TypeOf(Env{})
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := f.Tag.Get("expr")
		if name == "" || name == "-" {
			continue
		}
		switch {
		case f.Type == reflect.TypeOf(time.Time{}):
			out[name] = "time"
		case f.Type.Kind() == reflect.String:
			out[name] = "string"
		case f.Type.Kind() == reflect.Float64:
			out[name] = "float"
		case f.Type.Kind() == reflect.Map:
			out[name] = "map"
		case f.Type.Kind() == reflect.Int64:
			out[name] = "int64"
		default:
			out[name] = "int"
		}
	}
	return out
}
