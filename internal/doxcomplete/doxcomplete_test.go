package doxcomplete_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/doxls/doxls/httpfile"
	"github.com/doxls/doxls/internal/doxapi"
	"github.com/doxls/doxls/internal/doxcomplete"
)

func testData() doxapi.Data {
	var d doxapi.Data
	d.Clients = []doxapi.Client{{ID: "default", Name: "Default client"}, {ID: "c_00", Name: "Client 00"}}
	d.Capabilities.DocumentTypes = []string{"invoice", "paymentAdvice", "purchaseOrder"}
	d.Capabilities.Extraction.HeaderFields = []doxapi.Field{
		{Name: "documentNumber", Type: "string", Category: "document", SupportedDocumentTypes: []string{"invoice", "paymentAdvice"}},
		{Name: "taxAmount", Type: "number", Category: "amounts", SupportedDocumentTypes: []string{"invoice"}},
	}
	d.Capabilities.Extraction.LineItemFields = []doxapi.Field{
		{Name: "quantity", Type: "number", Category: "details", SupportedDocumentTypes: []string{"invoice", "purchaseOrder"}},
	}
	return d
}

const upload = "### upload\r\n" +
	"POST https://api.example.com/document-information-extraction/v1/document/jobs\r\n" +
	"Content-Type: multipart/form-data; boundary=B\r\n" +
	"\r\n" +
	"--B\r\n" +
	"Content-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n" +
	"\r\n" +
	"< ./a.pdf\r\n" +
	"--B\r\n" +
	"Content-Disposition: form-data; name=\"options\"\r\n" +
	"\r\n" +
	"{\"clientId\": \"%C\", \"documentType\": \"%D\",\r\n" +
	" \"extraction\": {\"headerFields\": [\"documentNumber\", %H], \"lineItemFields\": [%L]},\r\n" +
	" \"enrichment\": {\"sender\": {\"type\": \"%E\"}}}\r\n" +
	"--B--\r\n"

// at cuts the cursor marker | out of doc and returns the text and position.
func at(t *testing.T, doc string) ([]byte, httpfile.Position) {
	t.Helper()
	i := strings.Index(doc, "|")
	if i < 0 {
		t.Fatal("no cursor in the test document")
	}
	before := doc[:i]
	line := strings.Count(before, "\n")
	col := len([]rune(before[strings.LastIndex(before, "\n")+1:])) // ASCII or BMP only in these tests
	return []byte(doc[:i] + doc[i+1:]), httpfile.Position{Line: line, Character: col}
}

func complete(t *testing.T, doc string) []doxcomplete.Item {
	t.Helper()
	src, pos := at(t, doc)
	parsed := httpfile.Parse(src)
	req := parsed.RequestAt(pos.Line)
	if req == nil {
		t.Fatalf("no request at line %d", pos.Line)
	}
	return doxcomplete.Complete(src, req, pos, testData())
}

func labels(items []doxcomplete.Item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Label)
	}
	return out
}

func TestCompleteAtEachPosition(t *testing.T) {
	fill := func(c, d, h, l string) string {
		return strings.NewReplacer("%C", c, "%D", d, "%H", h, "%L", l, "%E", "businessEntity").Replace(upload)
	}
	cases := []struct {
		name, doc string
		want      []string
		kind      doxcomplete.Kind
		newText   string
	}{
		{"clientId value", fill("c_|", "invoice", "", ""), []string{"default", "c_00"}, doxcomplete.KindClient, "default"},
		{"documentType value", fill("default", "in|", "", ""), []string{"invoice", "paymentAdvice", "purchaseOrder"}, doxcomplete.KindDocumentType, "invoice"},
		{"header fields of an invoice", fill("default", "invoice", `"|"`, ""), []string{"documentNumber", "taxAmount"}, doxcomplete.KindHeaderField, "documentNumber"},
		{"header fields of a payment advice", fill("default", "paymentAdvice", `"|"`, ""), []string{"documentNumber"}, doxcomplete.KindHeaderField, "documentNumber"},
		{"line item fields, bare", fill("default", "invoice", "", "|"), []string{"quantity"}, doxcomplete.KindLineItemField, `"quantity"`},
		{"not in enrichment", fill("default", "invoice", "", "") + "", nil, 0, ""},
		{"path", "GET https://api.example.com/document-information-extraction/v1/doc|\n", nil, doxcomplete.KindPath, "capabilities"},
		{"clientId query", "GET https://api.example.com/document-information-extraction/v1/document/jobs?clientId=d|\n", []string{"default", "c_00"}, doxcomplete.KindClient, "default"},
		{"clientId query continuation", "GET https://api.example.com/document-information-extraction/v1/document/jobs\n    ?limit=1\n    &clientId=|\nAccept: application/json\n", []string{"default", "c_00"}, doxcomplete.KindClient, "default"},
		{"an option key", strings.Replace(fill("default", "invoice", "", ""), `{"clientId"`, `{"rec|", "clientId"`, 1),
			[]string{"clientId", "documentType", "extraction", "schemaId", "templateId", "receivedDate", "enrichment"}, doxcomplete.KindOptionKey, "clientId"},
		{"an extraction key, bare", strings.Replace(fill("default", "invoice", "", ""), `"extraction": {`, `"extraction": {|`, 1),
			[]string{"headerFields", "lineItemFields"}, doxcomplete.KindOptionKey, `"headerFields"`},
		{"no keys in enrichment", strings.Replace(fill("default", "invoice", "", ""), `"sender": {`, `"sender": {|`, 1), nil, 0, ""},
		{"a header", "GET https://api.example.com/document-information-extraction/v1/document/jobs\nX-Client: clientId=|\n", nil, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := tc.doc
			if tc.name == "not in enrichment" {
				doc = strings.Replace(doc, `"businessEntity"`, `"business|Entity"`, 1)
			}
			items := complete(t, doc)
			if tc.kind == doxcomplete.KindPath {
				if len(items) < 20 || items[0].Kind != doxcomplete.KindPath || !slices.Contains(labels(items), "document/jobs/{id}") {
					t.Fatalf("paths: %v", labels(items))
				}
				if r := items[0].Range; r.Start.Character != len("GET https://api.example.com/document-information-extraction/v1/") || r.End.Character != r.Start.Character+3 {
					t.Errorf("path range %+v", r)
				}
				return
			}
			if !slices.Equal(labels(items), tc.want) {
				t.Fatalf("labels %v, want %v", labels(items), tc.want)
			}
			if len(items) > 0 && (items[0].Kind != tc.kind || items[0].NewText != tc.newText || items[0].Detail == "") {
				t.Errorf("first item %+v", items[0])
			}
		})
	}
}

func TestCompleteReplacesWhatIsWritten(t *testing.T) {
	doc := strings.NewReplacer("%C", "c_|", "%D", "invoice", "%H", "", "%L", "", "%E", "x").Replace(upload)
	items := complete(t, "# é🙂\n"+doc) // UTF-16 positions count the emoji as 2
	if len(items) == 0 {
		t.Fatal("no items")
	}
	r := items[0].Range
	if r.Start.Line != r.End.Line || r.End.Character-r.Start.Character != 2 || r.Start.Character != len(`{"clientId": "`) {
		t.Errorf("range %+v", r)
	}
	if detail := items[1].Detail; detail != "DOX client · Client 00" {
		t.Errorf("detail %q", detail)
	}
}

// A BOM the editor keeps in its buffer is a character of line 0, as the
// positions the editor sends count it.
func TestCompleteWithABOMInTheBuffer(t *testing.T) {
	items := complete(t, "\uFEFFGET https://api.example.com/document-information-extraction/v1/document/jobs?clientId=d|\n")
	if len(items) != 2 || items[0].Range.Start.Character != len("\uFEFFGET https://api.example.com/document-information-extraction/v1/document/jobs?clientId=")-2 {
		t.Fatalf("items %+v", items)
	}
}

func TestCheckFlagsUnknownValuesWithTheClosest(t *testing.T) {
	doc := strings.NewReplacer("%C", "defualt", "%D", "invoce", "%H", "", "%L", "", "%E", "invoce").Replace(upload) +
		"\n###\nGET https://api.example.com/document-information-extraction/v1/document/jobs?clientId=c_01&clientId={{id}}\n"
	src := []byte(doc)
	parsed := httpfile.Parse(src)
	var got []doxcomplete.Problem
	for i := range parsed.Requests {
		got = append(got, doxcomplete.Check(src, &parsed.Requests[i], testData())...)
	}
	want := []struct{ field, value, closest string }{
		{"clientId", "defualt", "default"}, {"documentType", "invoce", "invoice"}, {"clientId", "c_01", "c_00"},
	}
	if len(got) != len(want) {
		t.Fatalf("problems %+v", got)
	}
	for i, w := range want {
		p := got[i]
		if p.Field != w.field || p.Value != w.value || p.Closest != w.closest || !strings.Contains(p.Message, "default, c_00") && w.field == "clientId" {
			t.Errorf("problem %d: %+v, want %v", i, p, w)
		}
	}
	if r := got[0].Range; r.Start.Line != 11 || r.Start.Character != len(`{"clientId": "`) || r.End.Character != r.Start.Character+len("defualt") {
		t.Errorf("range of the clientId value %+v", r)
	}
	if msg := got[1].Message; msg != `documentType "invoce" is not a document type of this DOX instance; it has invoice, paymentAdvice, purchaseOrder` {
		t.Errorf("message %q", msg)
	}
	if p := doxcomplete.Check(src, &parsed.Requests[0], doxapi.Data{}); len(p) != 0 {
		t.Errorf("without data: %+v", p)
	}
}
