package api

import (
	"bytes"
	"errors"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/internal/problem"
	"github.com/tierchain/tierchain/services/invoice"
)

const ublDoc = `<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>`

func uploadContext(t *testing.T, target, contentType string, body []byte) *gin.Context {
	t.Helper()
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	c.Request.Header.Set("Content-Type", contentType)
	return c
}

// multipartUpload is a form with a UBL document part and the given plain
// fields.
func multipartUpload(t *testing.T, fields ...[2]string) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="document"; filename="invoice.xml"`)
	h.Set("Content-Type", "application/xml")
	part, err := w.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	part.Write([]byte(ublDoc))
	for _, f := range fields {
		if err := w.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	return b.Bytes(), w.FormDataContentType()
}

// The due date agreed outside a UBL document comes as the dueDate query
// parameter or multipart field, once.
func TestUploadDueDate(t *testing.T) {
	form, formType := multipartUpload(t, [2]string{"dueDate", "2026-05-04"})
	twice, twiceType := multipartUpload(t, [2]string{"dueDate", "2026-05-04"}, [2]string{"dueDate", "2026-05-05"})
	plain, plainType := multipartUpload(t)
	for _, tc := range []struct {
		name, target, contentType string
		body                      []byte
		want                      string // the Upload's DueDate, or the field of a 400
		fails                     bool
	}{
		{"raw body, no due date", "/v1/invoices", "application/xml", []byte(ublDoc), "", false},
		{"raw body, query parameter", "/v1/invoices?dueDate=2026-05-04", "application/xml", []byte(ublDoc), "2026-05-04", false},
		{"raw body, query parameter twice", "/v1/invoices?dueDate=2026-05-04&dueDate=2026-05-04", "application/xml", []byte(ublDoc), "dueDate", true},
		{"raw body, empty query parameter", "/v1/invoices?dueDate=", "application/xml", []byte(ublDoc), "dueDate", true},
		{"multipart field", "/v1/invoices", formType, form, "2026-05-04", false},
		{"multipart field twice", "/v1/invoices", twiceType, twice, "dueDate", true},
		{"multipart field and query parameter", "/v1/invoices?dueDate=2026-05-04", formType, form, "dueDate", true},
		{"multipart, query parameter", "/v1/invoices?dueDate=2026-05-04", plainType, plain, "2026-05-04", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			up, err := upload(uploadContext(t, tc.target, tc.contentType, tc.body), "s1")
			if tc.fails {
				var p *problem.Problem
				if !errors.As(err, &p) || p.Status != http.StatusBadRequest || len(p.Errors) != 1 || p.Errors[0].Field != tc.want {
					t.Fatalf("error %v, want a 400 on %s", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if up.Format != invoice.FormatUBL || string(up.Document) != ublDoc || up.DueDate != tc.want || up.SupplierID != "s1" {
				t.Fatalf("upload %+v", up)
			}
		})
	}
}

// The due date reaches the parser: a UBL invoice without one is accepted
// with it, and refused without it with a field error that says what to send.
func TestUploadDueDateReachesParser(t *testing.T) {
	up, err := upload(uploadContext(t, "/v1/invoices?dueDate=not-a-date", "application/xml", []byte(ublDoc)), "s1")
	if err != nil {
		t.Fatal(err)
	}
	_, err = invoice.ParseUpload(up)
	var v *invoice.ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("error %v, want field errors", err)
	}
	found := false
	for _, f := range v.Fields {
		found = found || f.Field == "dueDate"
	}
	if !found {
		t.Fatalf("fields %+v lack dueDate", v.Fields)
	}
}
