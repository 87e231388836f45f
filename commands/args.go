package commands

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
)

// decodeArgs reads the arguments of a workspace/executeCommand: [] or one
// JSON object. Errors name the command and the field.
func decodeArgs(command string, args []json.RawMessage, v any) error {
	switch len(args) {
	case 0:
		return nil
	case 1:
	default:
		return invalidParams("%s takes one argument object, got %d arguments", command, len(args))
	}
	raw := bytes.TrimSpace(args[0])
	if bytes.Equal(raw, []byte("null")) {
		return nil
	}
	if len(raw) == 0 || raw[0] != '{' {
		return invalidParams("%s: the argument must be a JSON object", command)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return invalidParams("%s: %v", command, describeJSONError(err))
	}
	return nil
}

// jsonKind names a Go kind the way a JSON user would.
func jsonKind(kind string) string {
	switch kind {
	case reflect.String.String():
		return "a string"
	case reflect.Bool.String():
		return "true or false"
	case reflect.Slice.String():
		return "an array"
	case reflect.Struct.String(), reflect.Map.String():
		return "an object"
	case reflect.Pointer.String():
		return "a value"
	default:
		return "a number"
	}
}

// Error is a command failure with its JSON-RPC code.
type Error struct {
	Code    int64
	Message string
}

func (e *Error) Error() string { return e.Message }

// JSON-RPC and LSP error codes the commands use.
const (
	CodeInvalidParams = -32602
	CodeRequestFailed = -32803
)

func invalidParams(format string, a ...any) error {
	return &Error{Code: CodeInvalidParams, Message: fmt.Sprintf(format, a...)}
}

func failed(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: CodeRequestFailed, Message: err.Error()}
}
