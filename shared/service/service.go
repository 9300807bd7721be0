// Package service carries out the cloud connector's use cases: registering
// sites and connectors, the link lifecycle, credential rotation and the token
// broker. It decides; the adapters it is given store, seal and call.
package service

import (
	"context"
	"log/slog"
	"time"

	"github.com/cloudconnector/cloudconnector/shared/datacenter"
	"github.com/cloudconnector/cloudconnector/shared/domain"
	"github.com/cloudconnector/cloudconnector/shared/dynamo"
	"github.com/cloudconnector/cloudconnector/shared/metrics"
)

// Store is the state the service keeps. *dynamo.Store implements it; the
// methods' errors are described there.
type Store interface {
	PutSite(ctx context.Context, site domain.Site) (bool, error)
	GetSite(ctx context.Context, id string) (domain.Site, error)
	CreateConnector(ctx context.Context, c domain.Connector) error
	GetConnector(ctx context.Context, id string) (domain.Connector, error)
	ListConnectors(ctx context.Context, orgID string, page dynamo.Page) ([]domain.Connector, string, error)
	UpdateConnector(ctx context.Context, c domain.Connector, previousUpdatedAt string, noLinks bool) error
	DeleteConnector(ctx context.Context, id string) error

	CreateLink(ctx context.Context, l domain.Link, e domain.Event, idem *dynamo.Idempotency) error
	GetLink(ctx context.Context, id string) (domain.Link, error)
	GetIdempotency(ctx context.Context, actor, key string, now time.Time) (dynamo.Idempotency, bool, error)
	ListLinks(ctx context.Context, orgID, siteID string, statuses []domain.Status, page dynamo.Page) ([]domain.Link, string, error)
	ListPendingRequests(ctx context.Context, connectorID, now string, page dynamo.Page) ([]domain.Link, string, error)
	ListExpiredRequests(ctx context.Context, connectorID, now string, limit int) ([]domain.Link, error)
	ListEvents(ctx context.Context, linkID string, page dynamo.Page) ([]domain.Event, string, error)

	AcceptLink(ctx context.Context, l domain.Link, scopes []string, cred domain.Credential, rotateAt time.Time, e domain.Event) error
	RejectLink(ctx context.Context, l domain.Link, reason string, e domain.Event) error
	ExpireLink(ctx context.Context, l domain.Link, e domain.Event) error
	DeleteLink(ctx context.Context, l domain.Link, e domain.Event) error
	FinishDeletion(ctx context.Context, l domain.Link) error

	StartRotation(ctx context.Context, linkID string, r domain.Rotation, e domain.Event) error
	StageRotation(ctx context.Context, linkID, rotationID string, cred domain.Credential) error
	AdvanceRotation(ctx context.Context, linkID, rotationID string, from, to domain.RotationStep) error
	RecordRotationAttempt(ctx context.Context, linkID, rotationID string, attempts int, lastError string) error
	PromoteRotation(ctx context.Context, l domain.Link, rotateAt, revokePreviousAt time.Time, e domain.Event) error
	FailRotation(ctx context.Context, linkID, rotationID, lastError string, attempts int, retryAt time.Time, e domain.Event) error
	ClearPrevious(ctx context.Context, linkID, clientID string) error
	ListDue(ctx context.Context, shard int, now time.Time, page dynamo.Page) ([]dynamo.DueLink, string, error)
}

// Sealer encrypts secrets under an encryption context. *kmsseal.Sealer
// implements it.
type Sealer interface {
	Seal(ctx context.Context, plaintext []byte, encryptionContext map[string]string) ([]byte, error)
	Open(ctx context.Context, ciphertext []byte, encryptionContext map[string]string) ([]byte, error)
}

// DataCenter calls Data Center instances over the signed connector channel.
// *datacenter.Client implements it; every failure is KindUpstream.
type DataCenter interface {
	StageCredential(ctx context.Context, t datacenter.Target, cred datacenter.StagedCredential) error
	RevokeCredential(ctx context.Context, t datacenter.Target, linkID, clientID string) error
	RequestToken(ctx context.Context, t datacenter.Target, clientID, clientSecret string, scopes []string) (datacenter.Token, error)
}

// Queue carries rotation work. *sqsqueue.Queue implements it.
type Queue interface {
	Send(ctx context.Context, msg any, delay time.Duration) error
	SendBatch(ctx context.Context, msgs []any) (failed []int, err error)
	Delay(ctx context.Context, receiptHandle string, d time.Duration) error
}

// Config holds the service's tunable rules.
type Config struct {
	// RequestTTL is how long a link request waits for a Data Center admin.
	RequestTTL time.Duration
	// RotationMaxAge is the age at which a credential is rotated by schedule.
	RotationMaxAge time.Duration
	// GracePeriod is how long a replaced credential stays valid.
	GracePeriod time.Duration
	// MaxAttempts is how many deliveries a rotation message gets before the
	// rotation is marked FAILED.
	MaxAttempts int
	// RetryBaseDelay is the backoff before a failed rotation message's second
	// delivery; it doubles per delivery up to 5 minutes.
	RetryBaseDelay time.Duration
	// AllowLoopbackHTTP accepts http URLs of loopback hosts, for local runs.
	AllowLoopbackHTTP bool
}

// DefaultConfig returns the production defaults.
func DefaultConfig() Config {
	return Config{
		RequestTTL:     7 * 24 * time.Hour,
		RotationMaxAge: 90 * 24 * time.Hour,
		GracePeriod:    15 * time.Minute,
		MaxAttempts:    5,
		RetryBaseDelay: 2 * time.Second,
	}
}

// Service is the set of use cases over its adapters. Functions build one at
// init with only the adapters they use; the others stay nil.
type Service struct {
	Store      Store
	Sealer     Sealer
	DataCenter DataCenter
	Queue      Queue
	Config     Config
	Log        *slog.Logger
	// Metrics records rotation and token broker metrics. A nil Metrics
	// records nothing.
	Metrics *metrics.Recorder
	// Now is the clock; tests replace it.
	Now func() time.Time

	tokens *tokenCache
}

// New returns a Service with the real clock, a token cache and the
// process's metrics recorder, metrics.Default().
func New(store Store, sealer Sealer, dc DataCenter, queue Queue, cfg Config, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{Store: store, Sealer: sealer, DataCenter: dc, Queue: queue, Config: cfg, Log: log,
		Metrics: metrics.Default(),
		Now:     func() time.Time { return time.Now().UTC() }, tokens: newTokenCache(1024)}
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

func (s *Service) event(l domain.Link, action, actor string, from, to domain.Status, detail string, at time.Time) domain.Event {
	return domain.Event{ID: domain.NewID(domain.PrefixEvent, at), LinkID: l.ID, Action: action, Actor: actor,
		FromStatus: from, ToStatus: to, Detail: detail, At: at}
}
