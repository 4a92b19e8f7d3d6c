package model

import (
	"reflect"
	"strings"
	"sync"
	"time"
)

// encoding/json matches object keys to fields case-insensitively and lets
// a repeated key overwrite the first. Another parser (the indexer's, an
// auditor's) could read the same transaction argument differently, so
// Decode also requires every key to be a field name exactly and no object
// to repeat a key: one request, one meaning.

// fieldNames caches namesOf: reflect.Type → map[string]bool.
var fieldNames sync.Map

// namesOf returns the JSON names of every field reachable from t.
func namesOf(t reflect.Type) map[string]bool {
	if v, ok := fieldNames.Load(t); ok {
		return v.(map[string]bool)
	}
	names := map[string]bool{}
	collectNames(t, names, map[reflect.Type]bool{})
	fieldNames.Store(t, names)
	return names
}

var timeType = reflect.TypeFor[time.Time]()

func collectNames(t reflect.Type, names map[string]bool, seen map[reflect.Type]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t == timeType || seen[t] {
		return
	}
	seen[t] = true
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		names[name] = true
		collectNames(f.Type, names, seen)
	}
}

// checkKeys scans JSON that encoding/json has already accepted and
// refuses a key that is not exactly one of names (a key with an escape
// sequence never is), or that its object already has. It only tracks
// nesting and skips values, so it costs little next to the decode.
func checkKeys(raw string, names map[string]bool) error {
	type frame struct {
		object bool
		keys   map[string]bool
	}
	var stack []frame
	wantKey := false // the next string is a key of the innermost object
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; c {
		case '{':
			stack = append(stack, frame{object: true, keys: map[string]bool{}})
			wantKey = true
		case '[':
			stack = append(stack, frame{})
			wantKey = false
		case '}', ']':
			stack = stack[:len(stack)-1]
		case ',':
			wantKey = len(stack) > 0 && stack[len(stack)-1].object
		case '"':
			end := i + 1
			for end < len(raw) && raw[end] != '"' {
				if raw[end] == '\\' {
					end++
				}
				end++
			}
			if end >= len(raw) {
				return invalid("request: unterminated string")
			}
			if wantKey && len(stack) > 0 {
				k := raw[i+1 : end]
				f := stack[len(stack)-1]
				switch {
				case !names[k]:
					return invalid("request: field %q: names are case-sensitive, without escapes", k)
				case f.keys[k]:
					return invalid("request: field %q: given twice", k)
				}
				f.keys[k] = true
				wantKey = false
			}
			i = end
		}
	}
	return nil
}
