package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
)

// maxBodyBytes bounds every request body the simulator reads.
const maxBodyBytes = 64 << 10

// errorBody is the JSON body of every error outside the token endpoint.
type errorBody struct {
	Error   string `json:"error"`
	Message string `json:"message,omitempty"`
}

// reply writes body as JSON with status (no body for 204) and logs the
// call once with attrs. Nothing logged or written here may contain a
// secret.
func (s *Simulator) reply(w http.ResponseWriter, r *http.Request, status int, body any, attrs ...slog.Attr) {
	if status != http.StatusNoContent {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	if status != http.StatusNoContent && body != nil {
		if err := json.NewEncoder(w).Encode(body); err != nil {
			attrs = append(attrs, slog.String("writeError", err.Error()))
		}
	}

	level := slog.LevelInfo
	if status >= 400 {
		level = slog.LevelWarn
	}
	attrs = append([]slog.Attr{
		slog.String("method", r.Method),
		slog.String("path", r.URL.EscapedPath()),
		slog.Int("status", status),
	}, attrs...)
	s.logger.LogAttrs(r.Context(), level, "request served", attrs...)
}

// replyError writes a JSON error with a machine-readable code and a message.
func (s *Simulator) replyError(w http.ResponseWriter, r *http.Request, status int, code, message string, attrs ...slog.Attr) {
	attrs = append(attrs, slog.String("reason", message))
	s.reply(w, r, status, errorBody{Error: code, Message: message}, attrs...)
}

// readBody reads at most maxBodyBytes of the request body. On failure it
// has already responded with 413 or 400.
func (s *Simulator) readBody(w http.ResponseWriter, r *http.Request, attrs ...slog.Attr) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err == nil {
		return body, true
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		s.replyError(w, r, http.StatusRequestEntityTooLarge, "request_too_large",
			fmt.Sprintf("request body must be at most %d bytes", maxBodyBytes), attrs...)
		return nil, false
	}
	s.replyError(w, r, http.StatusBadRequest, "invalid_request", "request body could not be read: "+err.Error(), attrs...)
	return nil, false
}

// decodeJSON decodes body, a single JSON object, into v.
func decodeJSON(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("request body is not a valid JSON object: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("request body contains data after the JSON object")
	}
	return nil
}
