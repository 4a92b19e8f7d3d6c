package invoice

import (
	"bytes"
	"fmt"
)

// MaxPDFSize bounds a PDF attached as evidence.
const MaxPDFSize = 10 << 20

// CheckPDF checks that an attachment is plausibly a PDF: within MaxPDFSize
// and starting with the "%PDF-1." or "%PDF-2." header. The file is stored and
// hashed, never rendered, so nothing more of it is parsed.
func CheckPDF(data []byte) error {
	if len(data) > MaxPDFSize {
		return fmt.Errorf("%w: PDF over %d bytes", ErrTooLarge, MaxPDFSize)
	}
	if !bytes.HasPrefix(data, []byte("%PDF-1.")) && !bytes.HasPrefix(data, []byte("%PDF-2.")) {
		return ErrNotPDF
	}
	return nil
}
