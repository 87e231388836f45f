package envfile

import (
	"maps"
	"testing"
)

func TestDotenvVariables(t *testing.T) {
	src := []byte("# hosts\nHOST=api.example.com # the API\nexport TOKEN=\"a b\"\r\nHOST=second.example\nbad line\n")
	want := map[string]string{"HOST": "second.example", "TOKEN": "a b"}
	if got := DotenvVariables(src); !maps.Equal(got, want) {
		t.Errorf("DotenvVariables = %v, want %v", got, want)
	}
}
