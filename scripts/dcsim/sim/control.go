package sim

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/cloudconnector/cloudconnector/shared/datacenter"
)

// installKeyRequest is the JSON body of a key installation.
type installKeyRequest struct {
	Key string `json:"key"`
}

// installKeyResponse is the JSON body of a successful key installation. It
// never echoes the key.
type installKeyResponse struct {
	ConnectorID string `json:"connectorId"`
}

// handleInstallKey installs a connector key: 201 for a new connector, 200
// when it replaces the connector's key.
func (s *Simulator) handleInstallKey(w http.ResponseWriter, r *http.Request) {
	connectorID := r.PathValue("connectorId")
	attrs := []slog.Attr{slog.String("connectorId", connectorID)}
	body, ok := s.readBody(w, r, attrs...)
	if !ok {
		return
	}
	var req installKeyRequest
	if err := decodeJSON(body, &req); err != nil {
		s.replyError(w, r, http.StatusBadRequest, "invalid_request", err.Error(), attrs...)
		return
	}
	if err := checkID("connector id", connectorID); err != nil {
		s.replyError(w, r, http.StatusBadRequest, "invalid_request", err.Error(), attrs...)
		return
	}
	if !datacenter.ValidConnectorKey(req.Key) {
		s.replyError(w, r, http.StatusBadRequest, "invalid_request",
			fmt.Sprintf("key must be %q followed by 32 bytes in unpadded base64url", datacenter.ConnectorKeyPrefix), attrs...)
		return
	}

	status := http.StatusOK
	if s.InstallKey(connectorID, req.Key) {
		status = http.StatusCreated
	}
	s.reply(w, r, status, installKeyResponse{ConnectorID: connectorID}, attrs...)
}

func (s *Simulator) handleStats(w http.ResponseWriter, r *http.Request) {
	s.reply(w, r, http.StatusOK, s.Stats())
}

func (s *Simulator) handleListCredentials(w http.ResponseWriter, r *http.Request) {
	s.reply(w, r, http.StatusOK, s.Credentials())
}

func (s *Simulator) handleGetFaults(w http.ResponseWriter, r *http.Request) {
	s.reply(w, r, http.StatusOK, s.Faults())
}

// handleUpdateFaults applies the fields present in the body and returns
// the fault configuration in force.
func (s *Simulator) handleUpdateFaults(w http.ResponseWriter, r *http.Request) {
	body, ok := s.readBody(w, r)
	if !ok {
		return
	}
	var update FaultsUpdate
	if err := decodeJSON(body, &update); err != nil {
		s.replyError(w, r, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	faults, err := s.UpdateFaults(update)
	if err != nil {
		s.replyError(w, r, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	s.reply(w, r, http.StatusOK, faults)
}

func (s *Simulator) handleClearFaults(w http.ResponseWriter, r *http.Request) {
	s.ClearFaults()
	s.reply(w, r, http.StatusNoContent, nil)
}

func (s *Simulator) handleReset(w http.ResponseWriter, r *http.Request) {
	s.Reset()
	s.reply(w, r, http.StatusNoContent, nil)
}
