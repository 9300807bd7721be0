# Build, test and run the cloud connector locally. `make help` lists the
# targets. No Docker and no AWS account are needed: the local servers are Go
# programs installed into bin/ on first use.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.ONESHELL:
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules --no-print-directory

BIN := $(CURDIR)/bin

# Every target builds and tests with Go 1.27.3, which the go command fetches
# from the module proxy on first use (about 10 seconds). Go 1.26.8 still
# builds the module, but its standard library has vulnerabilities fixed only
# in later releases (govulncheck reports them), so deployed binaries and the
# tools come from 1.27.3.
export GOTOOLCHAIN ?= go1.27.3

LOCAL := $(CURDIR)/.local

# Pinned tools, installed with go install into bin/ and never added to go.mod.
KUMO_PKG        := github.com/sivchari/kumo/cmd/kumo@v0.33.1
LOCAL_KMS_PKG   := github.com/nsmithuk/local-kms@v0.0.0-20260228092603-2a5e92d09ab6
RIE_PKG         := github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d
GOVULNCHECK_PKG := golang.org/x/vuln/cmd/govulncheck@v1.9.0
TOOLS := $(BIN)/kumo $(BIN)/local-kms $(BIN)/aws-lambda-rie $(BIN)/govulncheck

# Ports on 127.0.0.1. make test uses its own pair, so it can run while the
# stack of make run is up.
KUMO_PORT      ?= 4566
KMS_PORT       ?= 4599
DCSIM_PORT     ?= 8099
PORT           ?= 3000
TEST_KUMO_PORT ?= 4576
TEST_KMS_PORT  ?= 4598
TEST_TIMEOUT   ?= 20m
export KUMO_PORT KMS_PORT DCSIM_PORT PORT

# AWS environment of every target. Unless AWS_ENDPOINT_URL is set (LocalStack
# or real AWS, whose endpoint then replaces kumo and local-kms), clients go
# to the local servers with static dummy credentials and no shared config.
# The instance metadata address is never contacted.
# deploy and diff talk to your real AWS account with your own credentials,
# so the local defaults below do not apply to them.
ifeq ($(filter deploy diff,$(MAKECMDGOALS)),)
ifneq ($(filter environment command line,$(origin AWS_ENDPOINT_URL)),)
USER_ENDPOINT       := 1
STACK_SERVICES      := dcsim
TEST_STACK_SERVICES :=
export AWS_REGION ?= us-east-1
ifneq ($(findstring ://127.,$(AWS_ENDPOINT_URL))$(findstring ://localhost,$(AWS_ENDPOINT_URL)),)
# A loopback endpoint is LocalStack, which takes any credentials.
export AWS_ACCESS_KEY_ID ?= test
export AWS_SECRET_ACCESS_KEY ?= test
endif
else
USER_ENDPOINT       :=
STACK_SERVICES      := kumo kms dcsim
TEST_STACK_SERVICES := kumo kms
export AWS_ENDPOINT_URL := http://127.0.0.1:$(KUMO_PORT)
export AWS_ENDPOINT_URL_KMS := http://127.0.0.1:$(KMS_PORT)
export AWS_REGION := us-east-1
export AWS_ACCESS_KEY_ID := test
export AWS_SECRET_ACCESS_KEY := test
export AWS_CONFIG_FILE := /dev/null
export AWS_SHARED_CREDENTIALS_FILE := /dev/null
unexport AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE
endif
export AWS_EC2_METADATA_DISABLED := true
endif

# jsii and the CDK CLI: no Node 20 banner and no CLI telemetry. Exported for
# every target, because the infra tests load jsii too.
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_CLI_TELEMETRY := true


FUNCTIONS := $(patsubst functions/%/,%,$(wildcard functions/*/))

.PHONY: help tools stack-start stack-stop stack-status setup run test demo build lint clean synth diff deploy

help: ## List the targets.
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-13s %s\n", $$1, $$2}'

tools: $(TOOLS) ## Install the pinned tools into bin/ (kumo takes about 3 minutes on 2 cores).

$(BIN)/kumo:
	GOBIN=$(BIN) go install $(KUMO_PKG)

$(BIN)/local-kms:
	GOBIN=$(BIN) go install $(LOCAL_KMS_PKG)

$(BIN)/aws-lambda-rie:
	GOBIN=$(BIN) go install $(RIE_PKG)

$(BIN)/govulncheck:
	GOBIN=$(BIN) go install $(GOVULNCHECK_PKG)

stack-start: $(BIN)/kumo $(BIN)/local-kms ## Start kumo, local-kms and the simulated Data Center in the background.
	STACK_SERVICES="$(STACK_SERVICES)" scripts/stack.sh start

stack-stop: ## Stop the servers that stack-start started.
	STACK_SERVICES="$(STACK_SERVICES)" scripts/stack.sh stop

stack-status: ## Show which local servers are running.
	STACK_SERVICES="$(STACK_SERVICES)" scripts/stack.sh status

setup: ## Create the table, queues and KMS key; writes the settings to .local/env.
	mkdir -p $(LOCAL)
	go run ./scripts/localsetup >$(LOCAL)/env
	cat $(LOCAL)/env

run: tools ## Start the stack, set it up and serve the local API in the foreground; Ctrl-C stops everything.
	@trap 'STACK_SERVICES="$(STACK_SERVICES)" scripts/stack.sh stop' EXIT
	STACK_SERVICES="$(STACK_SERVICES)" scripts/stack.sh start
	mkdir -p $(LOCAL)/bin
	go run ./scripts/localsetup >$(LOCAL)/env
	source $(LOCAL)/env
	go build -o $(LOCAL)/bin/localapi ./scripts/localapi
	echo
	echo "Local API: http://127.0.0.1:$(PORT)  (Ctrl-C stops it and the stack)"
	echo "Get a token:"
	echo '  TOKEN=$$(go run ./scripts/devtoken -org org-1 -sub alice -roles "org-admin")'
	echo "Call the API:"
	echo '  curl -s -H "Authorization: Bearer $$TOKEN" http://127.0.0.1:$(PORT)/connectors'
	echo
	# The simulated Data Center is plain http on loopback; the service
	# accepts such URLs only when told it runs locally.
	ALLOW_LOOPBACK_HTTP=true $(LOCAL)/bin/localapi

test: tools ## Run go vet and go test -race against a kumo and local-kms of its own.
	@state=$$(mktemp -d)
	export STACK_DIR=$$state STACK_SERVICES="$(TEST_STACK_SERVICES)" KUMO_PORT=$(TEST_KUMO_PORT) KMS_PORT=$(TEST_KMS_PORT)
	if [[ -n "$(TEST_STACK_SERVICES)" ]]; then
	  trap 'scripts/stack.sh stop; rm -rf "$$state"' EXIT
	  started=$$(date +%s%N)
	  scripts/stack.sh start
	  echo "test stack ($(TEST_STACK_SERVICES)) up in $$(( ($$(date +%s%N) - started) / 1000000 )) ms"
	  export AWS_ENDPOINT_URL=http://127.0.0.1:$(TEST_KUMO_PORT) AWS_ENDPOINT_URL_KMS=http://127.0.0.1:$(TEST_KMS_PORT)
	else
	  trap 'rm -rf "$$state"' EXIT
	  echo "AWS_ENDPOINT_URL is set: testing against $$AWS_ENDPOINT_URL, no local servers started"
	fi
	status=0
	go vet ./... || status=$$?
	go test -race -count=1 -timeout $(TEST_TIMEOUT) ./... || status=$$?
	exit $$status

demo: ## Run scripts/demo.sh against the running local API (start it with make run).
	scripts/demo.sh

build: ## Build every function into build/<function>/bootstrap for Lambda on arm64.
	@if [[ -z "$(FUNCTIONS)" ]]; then echo "no functions under functions/"; exit 1; fi
	for fn in $(FUNCTIONS); do
	  CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -tags lambda.norpc -trimpath -ldflags '-s -w -buildid=' -o build/$$fn/bootstrap ./functions/$$fn
	  echo "build/$$fn/bootstrap"
	done

# govulncheck's online database is not reachable from every machine, so the
# database is built from the golang.org/x/vulndb module, which the Go module
# proxy serves. Newer snapshots: go list -m -versions golang.org/x/vulndb.
VULNDB_VERSION := v0.0.0-20261105234957-e22db6528018

$(LOCAL)/vulndb/$(VULNDB_VERSION)/index/db.json:
	@src=$$(cd "$$(mktemp -d)" && go mod download -json golang.org/x/vulndb@$(VULNDB_VERSION) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p')
	rm -rf $(LOCAL)/vulndb/$(VULNDB_VERSION)
	GOFLAGS=-mod=mod go run golang.org/x/vulndb/cmd/indexdb@$(VULNDB_VERSION) -vulns "$$src/data/osv" -out $(LOCAL)/vulndb/$(VULNDB_VERSION)

lint: $(BIN)/govulncheck $(LOCAL)/vulndb/$(VULNDB_VERSION)/index/db.json ## Check formatting, run go vet and govulncheck (offline database).
	@unformatted=$$(gofmt -l $$(go list -f '{{.Dir}}' ./...))
	if [[ -n "$$unformatted" ]]; then echo "not gofmt-formatted:"; echo "$$unformatted"; exit 1; fi
	go vet ./...
	$(BIN)/govulncheck -db file://$(LOCAL)/vulndb/$(VULNDB_VERSION) ./...

clean: stack-stop ## Stop the stack and remove build/ and .local/ (keeps the tools in bin/).
	rm -rf build $(LOCAL)

# Offline synth: dummy credentials, and the CLI's account lookup goes to a
# closed loopback port, so nothing leaves the machine.
SYNTH_ENV := AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=dummy AWS_EC2_METADATA_DISABLED=true AWS_ENDPOINT_URL_STS=http://127.0.0.1:9

node_modules/go.mod: package-lock.json
	npm ci --no-audit --no-fund
	# A go.mod keeps the Go files shipped in node_modules out of ./... patterns.
	echo 'module ignored' > node_modules/go.mod

synth: build node_modules/go.mod ## Synthesize the template into cdk.out/ offline; cdk-nag errors fail it.
	env $(SYNTH_ENV) npx cdk synth --no-notices -q
	echo cdk.out/CloudConnector.template.json

diff: build node_modules/go.mod ## Compare with the deployed stack (uses your AWS credentials).
	npx cdk diff CloudConnector

deploy: build node_modules/go.mod ## Deploy the stack (uses your AWS credentials); writes the outputs to cdk.out/outputs.json.
	npx cdk deploy CloudConnector --require-approval broadening --outputs-file cdk.out/outputs.json

# Targets of other parts of the project: invoke, bench and the like.
-include $(wildcard scripts/make/*.mk)
