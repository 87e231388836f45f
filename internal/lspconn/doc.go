// Package lspconn is the connection of a language server to its editor:
// the LSP base protocol (Content-Length frames) over a byte stream,
// JSON-RPC 2.0 dispatch, cancellation, the server's own calls to the
// client, and the memory that large messages need. The server hands it
// two functions, Call for requests and Notify for notifications, and uses
// Conn.Call and Conn.Notify to talk to the client. Nothing else of it is
// visible; docs/transport.md says the same for readers of docs/.
//
// # Dispatch
//
// Serve reads one message at a time. A notification is handled on the
// read loop, in arrival order, so a didChange is applied before any
// request read after it; Notify must therefore never wait (no file or
// network I/O, no calls to the client). A request is registered (so that
// a $/cancelRequest read after it finds it) and then runs on its own
// goroutine: a token fetch that hangs at the identity provider holds up no
// hover. The few requests whose effect later messages must see
// (initialize, shutdown) are named by Config.InOrder and run on the loop.
// $/cancelRequest cancels the request's context, for string and numeric
// ids alike (jsonrpc2's CancelHandler misses numeric ones, which decode
// as float64); a handler that returns context.Canceled is answered with
// -32800. A panic in a handler is an InternalError reply and a log line.
//
// Malformed messages get the error JSON-RPC names (-32700 for a body
// that is not JSON, -32600 for one that is not a request) and the loop
// reads on; -32601, -32602 and -32002 are the server's to give.
//
// # One way out
//
// Replies, error replies, notifications, the server's calls and their
// $/cancelRequest all go through one send (outbox.go), which writes them
// in turn. What waits to be written is counted, and the read loop stops
// reading while more than 16 MiB wait behind the message being written or
// 1,024 requests run (unless one of them waits for the client's answer,
// which only the read loop can bring in): a client that sends without
// reading what it is sent stops being heard, and its own pipe then stops
// it. Nothing is dropped, since LSP has no message a server may silently
// lose; a single message above the bound still goes out.
//
// # Framing
//
// A frame whose header is broken (a Content-Length that is missing, not a
// number or negative; a header line that is not "Name: value" or longer
// than 4 KiB; JSON where a header belongs) is answered with -32700 (id
// null), logged as one line saying what was wrong, and skipped up to the
// next "Content-Length:", where the next message seems to start. A body
// above 64 MiB is skipped exactly, its length being known, and answered
// the same way. Only the end of input ends Serve.
//
// # Why not jsonrpc2.Conn
//
// go.lsp.dev/jsonrpc2 v0.10.0 runs handlers inside its read loop, closes
// the connection when a handler returns an error or the stream hands it a
// malformed body, and copies or re-encodes a large message three times:
// DecodeMessage copies a didChange body three times over, Conn.Call
// marshals params into a pooled buffer, copies them out and compacts them
// again on write. For doxls.insertBearer on 5,000 requests in header mode
// (a 9.1 MB workspace edit out, a 9.4 MB didChange back) that made the
// round trip 2.0 s; decoding params as a slice of the frame, encoding a
// call's params once into a buffer of their size (Sizer) and writing them
// as they are brought it to 0.3–0.5 s, and the variable-mode case to
// 55–75 ms (BenchmarkInsertBearer in server/, docs/performance.md). Text
// decodes a document's text from its JSON string straight to bytes, in one
// pass, for the same reason.
//
// # Memory
//
// With Config.SmallHeap the connection returns the garbage of a burst of
// messages to the system once nothing was read, written or handled for
// 500 ms: a full collection, then the free pages go back. Between bursts
// the process holds what its open documents need; during one the
// collector paces itself (GOGC, GOMEMLIMIT), and no collection is forced
// on the way to an answer. Handlers never see this (docs/transport.md,
// "Memory").
package lspconn
