package dynamo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Idempotency is the stored outcome of a request made with an
// Idempotency-Key header: a replay with the same body gets the same response.
type Idempotency struct {
	Actor       string
	Key         string
	RequestHash string
	Status      int
	Body        []byte
	Location    string
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

type idempotencyItem struct {
	PK          string `dynamodbav:"pk"`
	SK          string `dynamodbav:"sk"`
	RequestHash string `dynamodbav:"requestHash"`
	Status      int    `dynamodbav:"status"`
	Body        []byte `dynamodbav:"body"`
	Location    string `dynamodbav:"location,omitempty"`
	CreatedAt   string `dynamodbav:"createdAt"`
	ExpiresAt   int64  `dynamodbav:"expiresAt"`
}

// idempotencyPK hashes actor and key, so neither bounds nor leaks into the key.
func idempotencyPK(actor, key string) string {
	h := sha256.Sum256([]byte(actor + "\x00" + key))
	return "idem#" + hex.EncodeToString(h[:])
}

func newIdempotencyItem(r Idempotency) idempotencyItem {
	return idempotencyItem{PK: idempotencyPK(r.Actor, r.Key), SK: skIdem, RequestHash: r.RequestHash,
		Status: r.Status, Body: r.Body, Location: r.Location, CreatedAt: formatTime(r.CreatedAt), ExpiresAt: r.ExpiresAt.Unix()}
}

// GetIdempotency returns the record of actor's key and whether it exists.
// A record past its expiry is treated as absent, because TTL deletion can
// lag by hours.
func (s *Store) GetIdempotency(ctx context.Context, actor, key string, now time.Time) (Idempotency, bool, error) {
	var it idempotencyItem
	ok, err := s.get(ctx, idempotencyPK(actor, key), skIdem, &it)
	if err != nil || !ok || it.ExpiresAt <= now.Unix() {
		return Idempotency{}, false, err
	}
	return Idempotency{Actor: actor, Key: key, RequestHash: it.RequestHash, Status: it.Status, Body: it.Body,
		Location: it.Location, CreatedAt: parseTime(it.CreatedAt), ExpiresAt: time.Unix(it.ExpiresAt, 0)}, true, nil
}
