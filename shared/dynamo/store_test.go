package dynamo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cloudconnector/cloudconnector/shared/domain"
	"github.com/cloudconnector/cloudconnector/shared/dynamo"
	"github.com/cloudconnector/cloudconnector/shared/testenv"
)

// rawItem reads an item as stored, so the test checks what the emulator
// really wrote rather than what the store decodes.
func rawItem(t *testing.T, a testenv.AWS, table, pk, sk string) map[string]types.AttributeValue {
	t.Helper()
	out, err := a.DynamoDB.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: pk}, "sk": &types.AttributeValueMemberS{Value: sk}}})
	if err != nil {
		t.Fatalf("get %s/%s: %v", pk, sk, err)
	}
	return out.Item
}

func str(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func num(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberN); ok {
		return v.Value
	}
	return ""
}

func TestStoredItemsAfterTransitions(t *testing.T) {
	a := testenv.LocalAWS(t)
	table := a.NewTable(t)
	s := dynamo.New(a.DynamoDB, table)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)

	conn := domain.Connector{ID: domain.NewID(domain.PrefixConnector, now), OrgID: "acme", Name: "dc", Product: domain.ProductJira,
		Version: "11.3", DisplayURL: "https://dc.example.com", RPCURL: "https://dc.example.com", Network: domain.NetworkPublic,
		CreatedAt: now, UpdatedAt: now, KeyCiphertext: []byte("sealed")}
	if err := s.CreateConnector(ctx, conn); err != nil {
		t.Fatalf("create connector: %v", err)
	}
	l := domain.Link{ID: domain.NewID(domain.PrefixLink, now), OrgID: "acme", SiteID: "site-1", ConnectorID: conn.ID,
		Status: domain.StatusPending, ScopesRequested: []string{"READ"}, RequestExpiresAt: now.Add(time.Hour),
		CreatedAt: now, CreatedBy: "u", UpdatedAt: now}
	event := func(action string) domain.Event {
		return domain.Event{ID: domain.NewID(domain.PrefixEvent, now), LinkID: l.ID, Action: action, Actor: "u", ToStatus: domain.StatusConnected, At: now}
	}
	if err := s.CreateLink(ctx, l, event("create"), nil); err != nil {
		t.Fatalf("create link: %v", err)
	}
	item := rawItem(t, a, table, l.ID, "link")
	if str(item, dynamo.AttrPendingConnector) != conn.ID {
		t.Errorf("pending index attribute = %q, want %s", str(item, dynamo.AttrPendingConnector), conn.ID)
	}
	if got := num(rawItem(t, a, table, conn.ID, "connector"), "liveLinks"); got != "1" {
		t.Errorf("liveLinks after create = %q, want 1", got)
	}
	if lock := rawItem(t, a, table, "lock#site-1#"+conn.ID, "lock"); str(lock, "linkId") != l.ID {
		t.Errorf("lock item = %v, want it to name %s", lock, l.ID)
	}

	cred := domain.Credential{ClientID: "cli_1", Version: 1, CreatedAt: now, SecretCiphertext: []byte("c1")}
	if err := s.AcceptLink(ctx, l, []string{"READ"}, cred, now.Add(time.Hour), event("accept")); err != nil {
		t.Fatalf("accept: %v", err)
	}
	item = rawItem(t, a, table, l.ID, "link")
	for name, want := range map[string]string{"status": "CONNECTED", "credClientId": "cli_1"} {
		if got := str(item, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if num(item, "credVersion") != "1" {
		t.Errorf("credVersion = %q, want 1", num(item, "credVersion"))
	}
	if _, ok := item[dynamo.AttrPendingConnector]; ok {
		t.Errorf("pending index attribute still present after accept")
	}
	if str(item, dynamo.AttrDueShard) == "" || str(item, dynamo.AttrDueAt) == "" {
		t.Errorf("rotation-due index attributes missing after accept: %v", item)
	}

	r := domain.Rotation{ID: domain.NewID(domain.PrefixRotation, now), State: domain.RotationRunning, Step: domain.StepRequested, RequestedBy: "u", StartedAt: now}
	if err := s.StartRotation(ctx, l.ID, r, event("rotate")); err != nil {
		t.Fatalf("start rotation: %v", err)
	}
	item = rawItem(t, a, table, l.ID, "link")
	for name, want := range map[string]string{"status": "ROTATING", "rotId": r.ID, "rotState": "RUNNING", "rotStep": "REQUESTED", "rotRequestedBy": "u"} {
		if got := str(item, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if _, ok := item[dynamo.AttrDueShard]; ok {
		t.Errorf("rotation-due attribute still present while rotating")
	}
	if err := s.StartRotation(ctx, l.ID, r, event("rotate")); !domain.IsKind(err, domain.KindConflict) {
		t.Errorf("second start = %v, want KindConflict", err)
	}

	pending := domain.Credential{ClientID: "cli_2", CreatedAt: now, SecretCiphertext: []byte("c2")}
	if err := s.StageRotation(ctx, l.ID, r.ID, pending); err != nil {
		t.Fatalf("stage: %v", err)
	}
	for _, step := range [][2]domain.RotationStep{{domain.StepStaged, domain.StepDelivered}, {domain.StepDelivered, domain.StepVerified}} {
		if err := s.AdvanceRotation(ctx, l.ID, r.ID, step[0], step[1]); err != nil {
			t.Fatalf("advance %s: %v", step[1], err)
		}
	}
	read, err := s.GetLink(ctx, l.ID)
	if err != nil {
		t.Fatalf("read link: %v", err)
	}
	if err := s.PromoteRotation(ctx, read, now.Add(time.Hour), now.Add(time.Minute), event("promote")); err != nil {
		t.Fatalf("promote: %v", err)
	}
	item = rawItem(t, a, table, l.ID, "link")
	for name, want := range map[string]string{"status": "CONNECTED", "credClientId": "cli_2", "prevClientId": "cli_1", "rotState": "COMPLETED", "rotStep": "PROMOTED"} {
		if got := str(item, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if num(item, "credVersion") != "2" || num(item, "prevVersion") != "1" {
		t.Errorf("versions cred %q prev %q, want 2 and 1", num(item, "credVersion"), num(item, "prevVersion"))
	}
	for name := range item {
		if strings.ContainsAny(name, ".#:") {
			t.Errorf("stored attribute %q: a placeholder or nested path was written as a name", name)
		}
	}
	if _, ok := item["rotClientId"]; ok {
		t.Errorf("pending credential still stored after promote")
	}

	if err := s.DeleteLink(ctx, read, event("delete")); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if err := s.DeleteLink(ctx, read, event("delete")); !domain.IsKind(err, domain.KindConflict) {
		t.Errorf("second delete = %v, want KindConflict", err)
	}
	if got := num(rawItem(t, a, table, conn.ID, "connector"), "liveLinks"); got != "1" {
		t.Errorf("liveLinks after delete = %q, want 1 until the credentials are revoked", got)
	}
	if err := s.FinishDeletion(ctx, read); err != nil {
		t.Fatalf("finish deletion: %v", err)
	}
	if err := s.FinishDeletion(ctx, read); !domain.IsKind(err, domain.KindConflict) {
		t.Errorf("second finish deletion = %v, want KindConflict", err)
	}
	if got := num(rawItem(t, a, table, conn.ID, "connector"), "liveLinks"); got != "0" {
		t.Errorf("liveLinks after revocation = %q, want 0", got)
	}
	if lock := rawItem(t, a, table, "lock#site-1#"+conn.ID, "lock"); lock != nil {
		t.Errorf("lock still present after delete: %v", lock)
	}
	events, _, err := s.ListEvents(ctx, l.ID, dynamo.Page{})
	if err != nil || len(events) != 5 {
		t.Errorf("events = %d (%v), want 5: create, accept, rotate, promote, delete", len(events), err)
	}
}
