package server

import (
	"context"
	"encoding/json"
)

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
