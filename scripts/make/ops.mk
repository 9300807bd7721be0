# Operations targets: the API contract check. The Makefile includes this file
# and provides BIN, TOOLS, TEST_STACK_SERVICES, TEST_KUMO_PORT, TEST_KMS_PORT,
# TEST_TIMEOUT and the AWS_* variables.

.PHONY: contract

# contract uses the ports of make test, so the two cannot run at the same time.
contract: $(BIN)/kumo $(BIN)/local-kms ## Run the scenario tests with the docs/openapi.yaml and metric-line checks, and list the route and status pairs covered.
	@state=$$(mktemp -d)
	export STACK_DIR=$$state STACK_SERVICES="$(TEST_STACK_SERVICES)" KUMO_PORT=$(TEST_KUMO_PORT) KMS_PORT=$(TEST_KMS_PORT)
	if [[ -n "$(TEST_STACK_SERVICES)" ]]; then
	  trap 'scripts/stack.sh stop; rm -rf "$$state"' EXIT
	  scripts/stack.sh start
	  export AWS_ENDPOINT_URL=http://127.0.0.1:$(TEST_KUMO_PORT) AWS_ENDPOINT_URL_KMS=http://127.0.0.1:$(TEST_KMS_PORT)
	else
	  trap 'rm -rf "$$state"' EXIT
	fi
	# -v makes TestMain print the coverage lists; awk keeps those, the
	# failures and the package results, and drops the tests' own log lines.
	go test -race -count=1 -timeout $(TEST_TIMEOUT) -v ./shared/httpapi/ ./shared/metrics/ \
	  | awk '/^(contract|metrics):|^--- FAIL/ { keep = 1; print; next }
	         keep && /^    / { print; next }
	         { keep = 0 }
	         /^(ok|FAIL|panic:)/ { print }'
