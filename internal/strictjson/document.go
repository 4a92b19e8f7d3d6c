package strictjson

import "encoding/json"

// Document is a file format of ours that checks its own fields: an
// organisation's definition (channelconfig), a gateway's description
// (orgconfig), an enterprise card (enterprisecard).
type Document interface {
	Validate() error
}

// MarshalDocument encodes a document that validates, indented and
// newline-terminated, as people read and diff these files. It returns the
// document's own validation error when it does not validate.
func MarshalDocument(d Document) ([]byte, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
