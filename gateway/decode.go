package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/tierchain/tierchain/internal/problem"
	"github.com/tierchain/tierchain/internal/strictjson"
)

// Validator is a request body that checks itself after decoding; the
// field errors it returns become a 400 problem's errors.
type Validator interface {
	Validate() []problem.FieldError
}

// DecodeJSON reads c's body into v strictly: application/json only, no
// unknown fields, exactly one JSON value, then v.Validate() when v is a
// Validator. Its errors are problems (400, 413, 415) ready to return.
func DecodeJSON(c *gin.Context, v any) error {
	ct := c.GetHeader("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		return unsupportedMedia(ct)
	}
	if err := decodeStrict(c.Request.Body, v); err != nil {
		return err
	}
	if val, ok := v.(Validator); ok {
		if errs := val.Validate(); len(errs) > 0 {
			return Invalid("The request body is invalid.", errs...)
		}
	}
	return nil
}

// decodeStrict decodes exactly one JSON value with no unknown fields, no
// duplicated key and no invalid UTF-8 (internal/strictjson, the decoder the
// invoice service uses too). Errors are *problem.Problem (400) or
// *http.MaxBytesError (413).
func decodeStrict(r io.Reader, v any) error {
	// The body is bounded by the route's limit; read it whole so that
	// invalid UTF-8 is refused rather than silently turned into U+FFFD by
	// encoding/json (a reason or reference would be stored altered).
	body, err := io.ReadAll(r)
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return err
		}
		return Invalid("The body could not be read.")
	}
	if err := strictjson.Decode(body, v); err != nil {
		return decodeProblem(err)
	}
	return nil
}

func decodeProblem(err error) error {
	var (
		ke  *strictjson.KeyError
		se  *json.SyntaxError
		ute *json.UnmarshalTypeError
	)
	switch {
	case errors.Is(err, strictjson.ErrInvalidUTF8):
		return Invalid("The body must be UTF-8.", problem.FieldError{Field: "", Reason: "invalid UTF-8"})
	case errors.Is(err, strictjson.ErrTooDeep):
		return Invalid("The request body is nested too deeply.", problem.FieldError{Field: "", Reason: "nested too deeply"})
	case errors.Is(err, strictjson.ErrTrailingData):
		return Invalid("The body must hold a single JSON value.", problem.FieldError{Field: "", Reason: "trailing data after the JSON value"})
	case errors.As(err, &ke) && errors.Is(err, strictjson.ErrDuplicateKey):
		return Invalid("The request body has a duplicated key.", problem.FieldError{Field: ke.Path, Reason: "duplicated key"})
	case errors.As(err, &ke):
		return Invalid("The request body has an unknown field.", problem.FieldError{Field: ke.Path, Reason: "unknown field"})
	case errors.Is(err, io.EOF):
		return Invalid("The request body is empty.", problem.FieldError{Field: "", Reason: "empty body"})
	case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF):
		return Invalid("The request body is not valid JSON.", problem.FieldError{Field: "", Reason: "malformed JSON"})
	case errors.As(err, &ute):
		field := ute.Field
		return Invalid("A field has the wrong type.", problem.FieldError{Field: field, Reason: "must be " + jsonKind(ute.Type.Kind().String())})
	default:
		return Invalid("The request body could not be decoded.", problem.FieldError{Field: "", Reason: "invalid body"})
	}
}

func jsonKind(goKind string) string {
	switch {
	case strings.HasPrefix(goKind, "int"), strings.HasPrefix(goKind, "uint"), strings.HasPrefix(goKind, "float"):
		return "a number in range"
	case goKind == "string":
		return "a string"
	case goKind == "bool":
		return "a boolean"
	case goKind == "slice", goKind == "array":
		return "an array"
	case goKind == "struct", goKind == "map":
		return "an object"
	}
	return fmt.Sprintf("of type %s", goKind)
}

// validJSONValue reports whether b is exactly one JSON value (fuzz oracle).
func validJSONValue(b []byte) bool {
	return json.Valid(bytes.TrimSpace(b))
}

// unsupportedMedia is the 415 for a body that is not JSON.
func unsupportedMedia(got string) *problem.Problem {
	return problem.New(http.StatusUnsupportedMediaType, problem.CodeUnsupportedMedia,
		fmt.Sprintf("The body must be application/json, not %q.", got))
}
