# Benchmark targets, included by the Makefile. They use its BIN, LOCAL,
# USER_ENDPOINT and exported AWS_* variables and its tool targets.
#
#   make bench                               every table of docs/BENCHMARKS.md, written to .local/bench/
#   make bench BENCH=Rotation BENCHTIME=3x   one go test benchmark of shared/httpapi
#   make bench-size                          binary sizes only (no servers needed)
#
# `make bench` took 3 to 4.5 minutes on 2 cores with a warm build cache; a
# cold cache adds the first compile of 36 binaries. It starts its own kumo
# and local-kms on BENCH_KUMO_PORT and BENCH_KMS_PORT, unless
# AWS_ENDPOINT_URL is set, and stops them at the end.

BENCH_KUMO_PORT ?= 4586
BENCH_KMS_PORT  ?= 4587
# Fresh processes per binary for the cold-start table.
BENCH_COLD_RUNS ?= 20
# Iterations and repetitions of each warm-latency case; the tables report
# the median of the repetitions.
BENCH_WARM_TIME  ?= 200x
BENCH_WARM_COUNT ?= 3
BENCH_OUT ?= $(LOCAL)/bench
BENCH ?=
BENCHTIME ?= 1x
BENCH_STACK_SERVICES := $(if $(USER_ENDPOINT),,kumo kms)

.PHONY: bench bench-size

bench: $(BIN)/kumo $(BIN)/local-kms $(BIN)/aws-lambda-rie ## Run the benchmarks (BENCH=pattern runs one go test benchmark); tables go to .local/bench/.
	@state=$$(mktemp -d)
	export STACK_DIR=$$state STACK_SERVICES="$(BENCH_STACK_SERVICES)" KUMO_PORT=$(BENCH_KUMO_PORT) KMS_PORT=$(BENCH_KMS_PORT)
	if [[ -n "$(BENCH_STACK_SERVICES)" ]]; then
	  trap 'scripts/stack.sh stop; rm -rf "$$state"' EXIT
	  scripts/stack.sh start
	  export AWS_ENDPOINT_URL=http://127.0.0.1:$(BENCH_KUMO_PORT) AWS_ENDPOINT_URL_KMS=http://127.0.0.1:$(BENCH_KMS_PORT)
	else
	  trap 'rm -rf "$$state"' EXIT
	fi
	if [[ -n "$(BENCH)" ]]; then
	  go test -run '^$$' -bench '$(BENCH)' -benchtime $(BENCHTIME) -timeout 30m ./shared/httpapi/ | grep -v '^{"_aws'
	  exit 0
	fi
	mkdir -p $(BENCH_OUT)
	started=$$(date +%s)
	echo "== binary size (arm64)"
	go run ./scripts/bench/binsize >$(BENCH_OUT)/size.md
	cat $(BENCH_OUT)/size.md
	echo "== cold start ($(BENCH_COLD_RUNS) runs per binary)"
	go run ./scripts/bench/coldstart -rie $(BIN)/aws-lambda-rie -runs $(BENCH_COLD_RUNS) -inittrace \
	  -json $(BENCH_OUT)/coldstart.json >$(BENCH_OUT)/coldstart.md
	cat $(BENCH_OUT)/coldstart.md
	echo "== DynamoDB, KMS and SQS calls per operation"
	COST_REPORT=$(BENCH_OUT)/costs.json go test -count=1 -run '^TestCostPerOperation$$' ./shared/httpapi/ | grep -v '^{"_aws'
	echo "== warm latency (-benchtime $(BENCH_WARM_TIME) -count $(BENCH_WARM_COUNT))"
	go test -run '^$$' -bench '^BenchmarkWarm$$' -benchtime $(BENCH_WARM_TIME) -count $(BENCH_WARM_COUNT) -timeout 30m ./shared/httpapi/ \
	  | grep -v '^{"_aws' >$(BENCH_OUT)/warm.txt
	go run ./scripts/bench/warmtable -bench $(BENCH_OUT)/warm.txt >$(BENCH_OUT)/warm.md
	cat $(BENCH_OUT)/warm.md
	echo "== cost per million operations"
	go run ./scripts/bench/cost -costs $(BENCH_OUT)/costs.json -bench $(BENCH_OUT)/warm.txt >$(BENCH_OUT)/cost.md
	cat $(BENCH_OUT)/cost.md
	echo "== rotation (request to connected)"
	go test -run '^$$' -bench '^BenchmarkRotation' -benchtime 3x -timeout 30m ./shared/httpapi/ | grep -v '^{"_aws' | tee $(BENCH_OUT)/rotation.txt
	echo "benchmarks done in $$(( $$(date +%s) - started )) s; tables in $(BENCH_OUT)/"

bench-size: ## Print the stripped arm64 size of every function next to its SDK floor.
	go run ./scripts/bench/binsize
