package server

import (
	"context"
	"encoding/json"

	"github.com/doxls/doxls/commands"
)

// executeCommands are the commands executeCommandProvider lists: those of
// package commands and the server's own doxls.waitForJob.
func executeCommands() []string { return append(commands.IDs(), WaitForJob) }

func (s *Server) executeCommand(ctx context.Context, raw json.RawMessage) (any, error) {
	var p struct {
		Command   string            `json:"command"`
		Arguments []json.RawMessage `json:"arguments"`
	}
	if err := decodeParams("workspace/executeCommand", raw, &p); err != nil {
		return nil, err
	}
	if p.Command == WaitForJob {
		return s.waitForJob(ctx, p.Arguments)
	}
	if err := s.waitDiscovery(ctx); err != nil {
		return nil, err
	}
	res, err := s.cmds.Execute(ctx, p.Command, p.Arguments)
	s.afterCommand(p.Command)
	return res, err
}
