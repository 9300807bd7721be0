# Run one function's real bootstrap under aws-lambda-rie with a sample event,
# against the running local stack (start it with make run in another
# terminal). Included by the Makefile, whose BIN, LOCAL, FUNCTIONS and
# exported AWS_* variables it uses.
#
#   make invoke FN=getlink EVENT=events/getlink/get-link.json
#
# The bootstrap is built for this machine into $(LOCAL)/invoke/<function>/,
# never into build/, which holds the arm64 binaries that the stack deploys.
# Each run picks free loopback ports, so several can run at once.

.PHONY: invoke

invoke: $(BIN)/aws-lambda-rie ## Run a function under aws-lambda-rie: make invoke FN=getlink EVENT=events/getlink/get-link.json
	@if [[ -z "$(FN)" || -z "$(EVENT)" ]]; then
	  echo "usage: make invoke FN=<function> EVENT=<event file>"
	  echo "functions: $(FUNCTIONS)"
	  if [[ -n "$(FN)" && -d "events/$(FN)" ]]; then
	    echo "events of $(FN):"
	    ls -1 events/$(FN)/*.json
	  fi
	  exit 2
	fi
	go run ./scripts/invoke -function "$(FN)" -event "$(EVENT)" \
	  -env-file "$(LOCAL)/env" -emulator "$(BIN)/aws-lambda-rie" -build-dir "$(LOCAL)/invoke"
